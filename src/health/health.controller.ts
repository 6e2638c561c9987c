import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/access-kinds.js';
import { DeclareErrors } from '../catalog/declare-errors.decorator.js';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { RateLimitStorage } from '../access/rate-limit-storage.js';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly rateLimits: RateLimitStorage,
  ) {}

  /** Liveness does no I/O: it only proves the event loop answers. */
  @Get('live')
  @ApiOperation({ operationId: 'health.live', summary: 'Liveness: the process is up (no I/O).' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @DeclareErrors('unavailable')
  @HealthCheck()
  @ApiOperation({
    operationId: 'health.ready',
    summary:
      'Readiness: the database answers. Also says where rate-limit counters live; an unreachable Redis makes it `degraded`, not down (limits then fail open).',
  })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      () => this.rateLimitCheck(),
    ]);
  }

  /**
   * Redis down does not make the instance unready: requests are still served, uncounted. The
   * count of hits let through that way is the metric to alert on.
   */
  private rateLimitCheck() {
    const { store, connected, failOpenCount } = this.rateLimits.status();
    const check = this.indicators.check('rateLimits');
    return connected
      ? check.up({ store, failOpenCount })
      : check.degraded({ store, failOpenCount, message: 'Redis unreachable; limits fail open' });
  }
}

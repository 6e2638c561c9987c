import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../access/access-kinds.js';
import { DeclareErrors } from '../catalog/declare-errors.decorator.js';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
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
  @ApiOperation({ operationId: 'health.ready', summary: 'Readiness: the database answers.' })
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
  }
}

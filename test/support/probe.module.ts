import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  type OnModuleInit,
  Post,
  Query,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  AdminOnly,
  BrowserOnly,
  Internal,
  Public,
  RequireScopes,
  WebhookIngress,
} from '../../src/access/access-kinds.js';
import { CurrentPrincipal, type Principal } from '../../src/access/principal.js';
import { WebhookVerifierRegistry } from '../../src/access/webhook-verifiers.js';
import { decodeCursor, PageQueryDto } from '../../src/common/index.js';

class EchoDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  name!: string;

  @ApiProperty()
  @IsInt()
  @Min(0)
  @Max(10)
  count!: number;
}

export const PROBE_WEBHOOK_SECRET = 'probe-webhook-secret';

function who(principal: Principal | undefined) {
  if (!principal) return { kind: 'anonymous' };
  return principal.kind === 'internal'
    ? { kind: 'internal' }
    : { kind: principal.kind, userId: principal.user.id };
}

/**
 * Test-only routes, one per access kind, that exercise the plumbing without any domain module.
 * (Refused writes are proven on the real posts routes.)
 */
@Controller('test-probe')
class ProbeController {
  @Post('echo')
  @Public()
  @HttpCode(200)
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('boom')
  @Public()
  boom(): never {
    throw new Error(
      'relation "users" does not exist: SELECT password_hash FROM users -- secret=hunter2',
    );
  }

  @Get('page')
  @Public()
  page(@Query() query: PageQueryDto): { limit: number; cursor: unknown } {
    return {
      limit: query.limit ?? 20,
      cursor: query.cursor ? decodeCursor(query.cursor, ['timestamptz', 'uuid']) : null,
    };
  }

  @Get('public')
  @Public()
  publicRoute(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Get('user')
  @RequireScopes()
  userRoute(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Get('browser')
  @BrowserOnly()
  browser(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Post('browser')
  @BrowserOnly()
  @HttpCode(200)
  browserWrite(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Get('internal')
  @Internal()
  internal(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Get('admin')
  @AdminOnly()
  admin(@CurrentPrincipal() p?: Principal) {
    return who(p);
  }

  @Post('webhook')
  @WebhookIngress('probe')
  @HttpCode(202)
  webhook() {
    return { accepted: true };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule implements OnModuleInit {
  constructor(private readonly verifiers: WebhookVerifierRegistry) {}

  onModuleInit(): void {
    this.verifiers.register(
      'probe',
      (req) => req.headers['x-probe-signature'] === PROBE_WEBHOOK_SECRET,
    );
  }
}

/** A controller with a route that declares no access kind: the app must refuse to boot with it. */
@Controller('test-undeclared')
class UndeclaredController {
  @Get()
  oops() {
    return 'should never be served';
  }
}

@Module({ controllers: [UndeclaredController] })
export class UndeclaredRouteModule {}

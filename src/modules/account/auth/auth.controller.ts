import { Body, Controller, Get, HttpCode, Inject, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { BrowserOnly, Public } from '../../../access/access-kinds.js';
import { SESSION_COOKIE } from '../../../access/credentials.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import {
  CurrentUser,
  Origin,
  type RequestOrigin,
  type UserPrincipal,
} from '../../../access/principal.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { LoginDto, SessionDto, SignupDto } from './auth.dto.js';
import { AuthService, type SignedIn } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('signup')
  @Public()
  @DeclareErrors('conflict')
  @ApiOperation({
    operationId: 'auth.signup',
    summary: 'Create an account and sign in (sets the session cookie).',
  })
  @ApiCreatedResponse({ type: SessionDto })
  async signup(
    @Body() body: SignupDto,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionDto> {
    return this.startSession(await this.auth.signup(body, origin), res);
  }

  @Post('login')
  @Public()
  @DeclareErrors('invalid_credentials')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'auth.login',
    summary: 'Sign in with email and password (sets the session cookie).',
  })
  @ApiOkResponse({ type: SessionDto })
  async login(
    @Body() body: LoginDto,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionDto> {
    return this.startSession(await this.auth.login(body, origin), res);
  }

  @Get('session')
  @BrowserOnly()
  @ApiOperation({
    operationId: 'auth.session',
    summary: 'The signed-in user and the CSRF token for this session.',
  })
  @ApiOkResponse({ type: SessionDto })
  async session(@CurrentUser() principal: UserPrincipal): Promise<SessionDto> {
    if (principal.kind !== 'session') throw new Error('unreachable: browser-only route');
    return { user: await this.auth.currentUser(principal.user.id), csrfToken: principal.csrfToken };
  }

  @Post('logout')
  @BrowserOnly()
  @HttpCode(204)
  @ApiOperation({ operationId: 'auth.logout', summary: 'End this browser session (server-side).' })
  @ApiNoContentResponse()
  async logout(
    @CurrentUser() principal: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    if (principal.kind !== 'session') throw new Error('unreachable: browser-only route');
    await this.auth.logout(principal.sessionId, principal.user.id, origin);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  private startSession(signedIn: SignedIn, res: Response): SessionDto {
    res.cookie(SESSION_COOKIE, signedIn.cookieValue, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: '/',
      expires: signedIn.expiresAt,
    });
    return { user: signedIn.user, csrfToken: signedIn.csrfToken };
  }
}

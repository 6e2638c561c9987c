import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../../access/access-kinds.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { RedirectsService } from './redirects.service.js';
import { REFERRAL_COOKIE, REFERRAL_COOKIE_MAX_AGE_MS } from '../share-urls.js';

/**
 * Public short links, served outside the /api prefix (see the prefix's exclude list in
 * bootstrap.ts) because people open them from chats, print and QR codes.
 */
@ApiTags('sharing')
@Controller()
export class RedirectsController {
  constructor(
    private readonly redirects: RedirectsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('go/:code')
  @Public()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.referral_redirect',
    summary:
      'Follow a referral link: 302 to its target page with ?ref={code}, sets the gpx_ref attribution cookie (30 days) and counts the visit.',
  })
  @ApiResponse({
    status: 302,
    description:
      'Location: the target page with `ref={code}`; Set-Cookie: `gpx_ref={code}` (HttpOnly, SameSite=Lax, 30 days).',
  })
  async referral(@Param('code') code: string, @Res() res: Response): Promise<void> {
    const visit = await this.redirects.followReferral(code);
    res.cookie(REFERRAL_COOKIE, visit.code, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      maxAge: REFERRAL_COOKIE_MAX_AGE_MS,
      path: '/',
    });
    // Every visit must reach the server to be counted and attributed.
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, visit.location);
  }

  @Get('r/:referenceId')
  @Public()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.post_short_link',
    summary:
      'A post’s short link (its 10-character referenceId): 302 to the post’s page; 404 unless the post is public.',
  })
  @ApiResponse({ status: 302, description: 'Location: the post’s page.' })
  async post(@Param('referenceId') referenceId: string, @Res() res: Response): Promise<void> {
    const location = await this.redirects.postLocation(referenceId);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, location);
  }
}

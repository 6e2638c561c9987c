import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public, RequireScopes } from '../../../access/access-kinds.js';
import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  type UserPrincipal,
} from '../../../access/principal.js';
import { DeclareErrors } from '../../../catalog/declare-errors.decorator.js';
import { PageQueryDto, uuidParam } from '../../../common/index.js';
import {
  CreateQrCodeDto,
  GalleryPageDto,
  QrCodeDto,
  QrCodePageDto,
  UpdateQrCodeDto,
} from './qr-codes.dto.js';
import { type QrImageFormat, QrCodesService } from './qr-codes.service.js';

const qrCodeId = uuidParam('QR code');

const MEDIA_TYPES: Record<QrImageFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
};

/** QR codes for your referral links and pages, and the public gallery of visible ones. */
@ApiTags('sharing')
@Controller('sharing/qr-codes')
export class QrCodesController {
  constructor(private readonly codes: QrCodesService) {}

  @Post()
  @RequireScopes('sharing:manage')
  @DeclareErrors('qr_art_unavailable')
  @ApiOperation({
    operationId: 'sharing.qr_codes.create',
    summary:
      'Make a QR code for one of your referral paths (its /go/{code} URL) or a URL on this site; classic codes are rendered at once as PNG and SVG.',
  })
  @ApiCreatedResponse({ type: QrCodeDto })
  create(@Body() body: CreateQrCodeDto, @CurrentUser() caller: UserPrincipal): Promise<QrCodeDto> {
    return this.codes.create(caller.user.id, body);
  }

  @Get()
  @RequireScopes('sharing:manage')
  @ApiOperation({
    operationId: 'sharing.qr_codes.list',
    summary: 'Your QR code generations, hidden ones included, newest first (paginated).',
  })
  @ApiOkResponse({ type: QrCodePageDto })
  list(@Query() query: PageQueryDto, @CurrentUser() caller: UserPrincipal): Promise<QrCodePageDto> {
    return this.codes.list(caller.user.id, query);
  }

  @Get('gallery')
  @Public()
  @ApiOperation({
    operationId: 'sharing.qr_codes.gallery',
    summary:
      'The public gallery: every QR code generation its owner has not hidden, newest first (paginated; no owner details).',
  })
  @ApiOkResponse({ type: GalleryPageDto })
  gallery(@Query() query: PageQueryDto): Promise<GalleryPageDto> {
    return this.codes.gallery(query);
  }

  @Patch(':id')
  @RequireScopes('sharing:manage')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.qr_codes.update',
    summary: 'Hide one of your QR codes from the public gallery, or show it again.',
  })
  @ApiOkResponse({ type: QrCodeDto })
  update(
    @Param('id', qrCodeId) id: string,
    @Body() body: UpdateQrCodeDto,
    @CurrentUser() caller: UserPrincipal,
  ): Promise<QrCodeDto> {
    return this.codes.setHidden(caller.user.id, id, body);
  }

  @Get(':id/image.png')
  @Public()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.qr_codes.image_png',
    summary:
      'The QR code as a PNG: anyone for a code in the public gallery; a hidden one only for its owner (a session, or a token with sharing:manage).',
  })
  @ApiOkResponse({ description: 'An image/png.', content: { 'image/png': {} } })
  png(
    @Param('id', qrCodeId) id: string,
    @CurrentPrincipal() caller: Principal | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.send('png', id, caller, res);
  }

  @Get(':id/image.svg')
  @Public()
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'sharing.qr_codes.image_svg',
    summary:
      'The QR code as an SVG, under the same rule as the PNG (404 for a generation without one).',
  })
  @ApiOkResponse({ description: 'An image/svg+xml.', content: { 'image/svg+xml': {} } })
  svg(
    @Param('id', qrCodeId) id: string,
    @CurrentPrincipal() caller: Principal | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.send('svg', id, caller, res);
  }

  private async send(
    format: QrImageFormat,
    id: string,
    caller: Principal | undefined,
    res: Response,
  ): Promise<void> {
    const image = await this.codes.image(id, format, caller);
    res.setHeader('Content-Type', MEDIA_TYPES[format]);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Hiding takes effect within a minute even for shared caches; a hidden code is never cached
    // by them (it is the owner's only).
    res.setHeader('Cache-Control', image.isPublic ? 'public, max-age=60' : 'private, no-store');
    res.send(image.body);
  }
}

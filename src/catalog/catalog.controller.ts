import { Controller, Get, Head, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { ACCESS_KIND_NAMES, Public } from '../access/access-kinds.js';
import { CurrentPrincipal, type Principal } from '../access/principal.js';
import { ALL_SCOPES } from '../access/scopes.js';
import { ProblemException } from '../common/index.js';
import { DeclareErrors } from './declare-errors.decorator.js';
import { CatalogService } from './catalog.service.js';
import type { CatalogDocument } from './catalog.types.js';
import { type Served, serve } from './served-catalog.js';

class CatalogQueryDto {
  @ApiPropertyOptional({
    enum: ALL_SCOPES,
    description: 'Only endpoints a token with this scope can call.',
  })
  @IsOptional()
  @IsIn(ALL_SCOPES)
  scope?: string;

  @ApiPropertyOptional({ example: 'account', description: 'Only endpoints of this module.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  module?: string;

  @ApiPropertyOptional({ enum: ACCESS_KIND_NAMES })
  @IsOptional()
  @IsIn(ACCESS_KIND_NAMES)
  authKind?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Only endpoints that do (true) or do not (false) accept tokens.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  pat?: string;

  @ApiPropertyOptional({
    example: 'token',
    description: 'Case-insensitive match on id, path and summary.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

const CACHE_CONTROL = 'public, max-age=60, must-revalidate';
/** The admin view is per session: never for shared caches. */
const ADMIN_CACHE_CONTROL = 'private, max-age=60, must-revalidate';

/** The live, machine-readable route map that agents read before calling anything. */
@ApiTags('catalog')
@Controller('programmatic/catalog')
@Public()
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({
    operationId: 'catalog.get',
    summary: 'The API catalog: scopes, endpoints with access and hints, errors, workflows.',
  })
  @ApiOkResponse({ description: 'The catalog (ETag; 304 on If-None-Match).' })
  get(
    @Query() query: CatalogQueryDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const admin = isAdmin(principal);
    const served = this.catalog.served(admin);
    const filtered = Object.values(query).some((v) => v !== undefined);
    if (!filtered) return send(req, res, served, false, admin);
    // Filtered views are rare and small; they are built per request.
    const document: CatalogDocument = {
      ...served.document,
      endpoints: served.document.endpoints.filter((e) => matches(e, query)),
    };
    send(req, res, serve(document), false, admin);
  }

  @Head()
  // Express answers HEAD through the GET route registered first, so a HEAD is held to the GET's
  // query validation (a bad filter answers 400 without a body); the catalog says so.
  @DeclareErrors('validation_failed')
  @ApiOperation({
    operationId: 'catalog.head',
    summary: 'Headers of the catalog (ETag, Cache-Control) without the body.',
  })
  head(
    @CurrentPrincipal() principal: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const admin = isAdmin(principal);
    send(req, res, this.catalog.served(admin), true, admin);
  }

  @Get('endpoints/:endpointId')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'catalog.endpoint',
    summary: 'One endpoint of the catalog by id (e.g. tokens.create).',
  })
  endpoint(
    @Param('endpointId') endpointId: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    const found = this.catalog
      .served(isAdmin(principal))
      .document.endpoints.find((e) => e.id === endpointId);
    if (!found) throw ProblemException.notFound(`No endpoint "${endpointId}" in the catalog.`);
    return found;
  }

  @Get('workflows/:workflowId')
  @DeclareErrors('not_found')
  @ApiOperation({
    operationId: 'catalog.workflow',
    summary: 'One workflow (a named recipe across endpoints) by id.',
  })
  workflow(@Param('workflowId') workflowId: string) {
    const found = this.catalog.served(false).document.workflows.find((w) => w.id === workflowId);
    if (!found) throw ProblemException.notFound(`No workflow "${workflowId}" in the catalog.`);
    return found;
  }
}

function isAdmin(principal: Principal | undefined): boolean {
  return principal?.kind === 'session' && principal.user.isAdmin;
}

function matches(e: CatalogDocument['endpoints'][number], q: CatalogQueryDto): boolean {
  if (q.scope && !e.pat.scopes.includes(q.scope)) return false;
  if (q.module && e.module !== q.module) return false;
  if (q.authKind && e.authKind !== q.authKind) return false;
  if (q.pat && String(e.pat.supported) !== q.pat) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (![e.id, e.path, e.summary].some((s) => s.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * Answers from prebuilt bytes: no serialisation or hashing per request. Strong ETag per encoding,
 * 304 on a matching If-None-Match. Also serves the Arazzo document.
 */
export function send(
  req: Request,
  res: Response,
  served: Served<unknown>,
  headOnly = false,
  adminView = false,
): void {
  const gzip = Boolean(req.acceptsEncodings('gzip', 'identity') === 'gzip');
  const etag = gzip ? served.gzipEtag : served.etag;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', adminView ? ADMIN_CACHE_CONTROL : CACHE_CONTROL);
  // The admin view differs by session, the bytes by encoding: caches must key on both.
  res.setHeader('Vary', 'Cookie, Authorization, Accept-Encoding');
  const inm = req.headers['if-none-match'];
  if (
    typeof inm === 'string' &&
    inm.split(',').some((t) => [served.etag, served.gzipEtag, '*'].includes(t.trim()))
  ) {
    res.status(304).end();
    return;
  }
  const body = gzip ? served.gzipped : served.body;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.status(200).end(headOnly ? undefined : body);
}

import { Controller, Get, Head, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../access/access-kinds.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';

const LINKSET = 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"';

/** RFC 9727: where a client finds this host's APIs, as an RFC 9264 linkset. */
@ApiTags('catalog')
@Controller('.well-known/api-catalog')
@Public()
export class ApiCatalogController {
  private readonly body: string;
  private readonly self: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const base = config.publicBaseUrl;
    this.self = `${base}/.well-known/api-catalog`;
    this.body = JSON.stringify({
      linkset: [
        { anchor: this.self, item: [{ href: `${base}/api` }] },
        {
          anchor: `${base}/api`,
          'service-desc': [
            {
              href: `${base}/api/openapi.json`,
              type: 'application/vnd.oai.openapi+json;version=3.1',
            },
            {
              href: `${base}/api/programmatic/catalog`,
              type: 'application/json',
              title: 'GetPaidX programmatic API catalog',
            },
            {
              href: `${base}/api/programmatic/workflows.arazzo.json`,
              type: 'application/json',
              title: 'GetPaidX workflows (Arazzo 1.0.1)',
            },
          ],
          'service-doc': [{ href: `${base}/api/docs`, type: 'text/html' }],
          status: [{ href: `${base}/api/health/ready`, type: 'application/json' }],
        },
      ],
    });
  }

  @Get()
  @ApiOperation({
    operationId: 'well_known.api_catalog',
    summary: 'RFC 9727 API catalog: links to the catalog, OpenAPI, docs and health.',
  })
  @ApiOkResponse({ description: 'An application/linkset+json document.' })
  get(@Res() res: Response): void {
    res.setHeader('Link', `<${this.self}>; rel="api-catalog"`);
    res.type(LINKSET).send(this.body);
  }

  @Head()
  @ApiOperation({
    operationId: 'well_known.api_catalog_head',
    summary: 'The api-catalog Link header, without a body.',
  })
  head(@Res() res: Response): void {
    res.setHeader('Link', `<${this.self}>; rel="api-catalog"`);
    res.type(LINKSET).status(200).end();
  }
}

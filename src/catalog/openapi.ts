import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config/index.js';
import { INTERNAL_SECURITY, PAT_SECURITY, SESSION_SECURITY } from '../access/access-kinds.js';
import { SESSION_COOKIE } from '../access/credentials.js';
import { CatalogService, publicOpenApi } from './catalog.service.js';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const OPENAPI_DOCS_PATH = '/api/docs';

/** Builds the OpenAPI 3.1 document from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('GetPaidX API')
    .setDescription(
      'The GetPaidX API for the web app, automation clients with personal access tokens, and internal tooling. ' +
        'The live, machine-readable route map with scopes and workflows is GET /api/programmatic/catalog.',
    )
    .setVersion('1.0')
    .addServer(config.publicBaseUrl)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'gpx_pat_…',
        description: 'Personal access token',
      },
      PAT_SECURITY,
    )
    .addCookieAuth(
      SESSION_COOKIE,
      {
        type: 'apiKey',
        in: 'cookie',
        description: 'Browser session; unsafe methods also need X-CSRF-Token',
      },
      SESSION_SECURITY,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Internal-Token',
        description: 'Service credential for internal routes',
      },
      INTERNAL_SECURITY,
    );
  const document = SwaggerModule.createDocument(app, builder.build());
  document.info.license = { name: 'Proprietary' };
  return document;
}

/** Serves the document at /api/openapi.json and the docs UI at /api/docs. */
export function mountOpenApi(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = buildOpenApiDocument(app, config);
  // The catalog reads the same operations and writes the x-gpx extension into them.
  app.get(CatalogService).build(document, config.publicBaseUrl);
  // Served without credentials, so it documents what the public catalog lists, nothing more.
  SwaggerModule.setup(OPENAPI_DOCS_PATH.slice(1), app, publicOpenApi(document), {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'GetPaidX API docs',
  });
  return document;
}

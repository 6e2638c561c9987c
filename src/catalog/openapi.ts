import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config/index.js';

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
    .addServer(config.publicBaseUrl);
  return SwaggerModule.createDocument(app, builder.build());
}

/** Serves the document at /api/openapi.json and the docs UI at /api/docs. */
export function mountOpenApi(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup(OPENAPI_DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'GetPaidX API docs',
  });
  return document;
}

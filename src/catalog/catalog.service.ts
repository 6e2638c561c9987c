import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_KIND_NAMES, ACCESS_KINDS } from '../access/access-kinds.js';
import { DeclaredRoutes } from '../access/route-declarations.js';
import { describeScopes, SCOPE_GROUPS } from '../access/scopes.js';
import { ERROR_CODES, type ErrorCode } from '../common/index.js';
import type { CatalogDocument, CatalogEndpoint, CatalogWorkflow } from './catalog.types.js';
import { describeEndpoint, type Operation } from './endpoint-description.js';
import { addProblemSchema, annotateOperation } from './openapi-annotations.js';
import { HTTP_METHODS } from './public-openapi.js';
import {
  ARAZZO_PATH,
  buildArazzo,
  endpointFacts,
  workflowInputs,
  workflowScopes,
} from './arazzo.js';
import { type Served, serve, type ServedCatalog } from './served-catalog.js';
import { checkWorkflows, type Workflow, WorkflowRegistry } from './workflows.js';
import { DomainEventRegistry } from '../events/index.js';
import { addWebhooks, catalogWebhookEvents } from './webhook-events.js';

// Where callers outside the catalog's own files (openapi.ts, the snapshot CLI) found them before.
export type { CatalogDocument } from './catalog.types.js';
export { publicOpenApi } from './public-openapi.js';

/** Bumped when the catalog's own shape (not the routes in it) changes. */
export const CATALOG_VERSION = '2026-11-28';

type Json = Record<string, unknown>;

/**
 * Builds the catalog once at boot from the same metadata the guard enforces (the declared routes'
 * access rules) and the OpenAPI metadata (operations, parameters, DTO schemas), so it cannot drift
 * from the code. It also writes the per-operation `x-gpx` object into the OpenAPI document.
 */
@Injectable()
export class CatalogService {
  private full?: CatalogDocument;
  private workflows: readonly Workflow[] = [];
  private publicServed?: ServedCatalog;
  private adminServed?: ServedCatalog;
  private arazzoServed?: Served<Record<string, unknown>>;
  private openApi?: OpenAPIObject;

  constructor(
    private readonly routes: DeclaredRoutes,
    private readonly registry: WorkflowRegistry,
    private readonly events: DomainEventRegistry,
  ) {}

  build(openApi: OpenAPIObject, publicBaseUrl: string): void {
    const described = this.operations(openApi).map((operation) => ({
      op: operation.op,
      endpoint: describeEndpoint(openApi, operation),
    }));
    const endpoints = described.map((d) => d.endpoint);
    endpoints.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    this.workflows = this.registry.list([...new Set(endpoints.map((e) => e.module))]);
    // A workflow a generic runner could not execute (prose only, an unknown endpoint, an output
    // no earlier step produces) stops the boot, naming it.
    checkWorkflows(this.workflows, endpointFacts(endpoints));
    for (const endpoint of endpoints)
      endpoint.workflows = this.workflows
        .filter((w) => w.steps.some((s) => s.endpoint === endpoint.id))
        .map((w) => w.id);
    for (const { op, endpoint } of described) annotateOperation(op, endpoint);
    addProblemSchema(openApi);
    const eventDefinitions = this.events.list();
    addWebhooks(openApi, eventDefinitions);
    this.openApi = openApi;
    const scopes = describeScopes();
    this.full = {
      catalogVersion: CATALOG_VERSION,
      generatedAt: new Date().toISOString(),
      links: {
        self: `${publicBaseUrl}/api/programmatic/catalog`,
        openapi: `${publicBaseUrl}/api/openapi.json`,
        docs: `${publicBaseUrl}/api/docs`,
        workflows: `${publicBaseUrl}${ARAZZO_PATH}`,
      },
      scopes,
      scopeGroups: SCOPE_GROUPS.map((g) => ({
        name: g,
        scopes: scopes.filter((s) => s.group === g).map((s) => s.name),
      })),
      authKinds: ACCESS_KIND_NAMES.map((kind) => ({
        kind,
        description: ACCESS_KINDS[kind].description,
      })),
      errors: (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({
        status: ERROR_CODES[code].status,
        code,
        title: ERROR_CODES[code].title,
        when: ERROR_CODES[code].when,
      })),
      endpoints,
      workflows: withEndpoints(this.workflows, endpoints),
      webhookEvents: catalogWebhookEvents(eventDefinitions),
    };
    this.adminServed = serve(this.full);
    this.arazzoServed = serve(
      buildArazzo(this.workflows, endpoints, publicBaseUrl, CATALOG_VERSION),
    );
    this.publicServed = serve({
      ...this.full,
      endpoints: endpoints.filter((e) => ACCESS_KINDS[e.authKind].listedPublicly),
    });
  }

  /** The prebuilt document: the public one, or with internal and admin-only routes for admins. */
  served(forAdmin: boolean): ServedCatalog {
    const served = forAdmin ? this.adminServed : this.publicServed;
    if (!served) throw new Error('The catalog was not built at boot');
    return served;
  }

  /** The prebuilt Arazzo 1.0.1 document of the workflows. */
  servedArazzo(): Served<Record<string, unknown>> {
    if (!this.arazzoServed) throw new Error('The catalog was not built at boot');
    return this.arazzoServed;
  }

  /**
   * The full OpenAPI document the catalog was built from (every operation, with its x-gpx facts),
   * for what is generated from it at run time: the MCP tools' input schemas.
   */
  openApiDocument(): OpenAPIObject {
    if (!this.openApi) throw new Error('The catalog was not built at boot');
    return this.openApi;
  }

  /** Workflow ids whose steps name endpoints that do not exist (a test keeps this empty). */
  danglingWorkflowSteps(): string[] {
    const ids = new Set(this.full?.endpoints.map((e) => e.id));
    return this.workflows.flatMap((w) =>
      w.steps.filter((s) => !ids.has(s.endpoint)).map((s) => `${w.id} → ${s.endpoint}`),
    );
  }

  /** Every OpenAPI operation with the declared route (and so the access rule) behind it. */
  private operations(openApi: OpenAPIObject): Operation[] {
    const routes = new Map<string, Pick<Operation, 'rule' | 'module'>>();
    for (const { operationId, rule, module } of this.routes.list())
      if (rule) routes.set(operationId, { rule, module });
    const out: Operation[] = [];
    for (const [path, item] of Object.entries(openApi.paths)) {
      for (const method of HTTP_METHODS) {
        const op = (item as Record<string, Json | undefined>)[method];
        const id = op?.operationId as string | undefined;
        const route = id ? routes.get(id) : undefined;
        // No access rule: RouteDeclarationCheck stops the boot naming the route, right after this.
        if (!op || !id || !route) continue;
        out.push({ path, method, op, id, ...route });
      }
    }
    return out;
  }
}

/** Each workflow step with the method and path of the endpoint it names. */
function withEndpoints(
  workflows: readonly Workflow[],
  endpoints: CatalogEndpoint[],
): CatalogWorkflow[] {
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const facts = endpointFacts(endpoints);
  return workflows.map(({ runnable, ...w }) => ({
    ...w,
    scopes: workflowScopes(w, byId),
    ...(runnable ? { runnable: false as const, notRunnableBecause: runnable.reason } : {}),
    inputs: workflowInputs(w, facts),
    steps: w.steps.map((s) => ({
      ...s,
      method: byId.get(s.endpoint)?.method,
      path: byId.get(s.endpoint)?.path,
    })),
  }));
}

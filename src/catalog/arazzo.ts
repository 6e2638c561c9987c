import { effectiveScopes, type Scope } from '../access/scopes.js';
import type { CatalogEndpoint } from './catalog.types.js';
import {
  executableSteps,
  type JsonSchemaObject,
  needsToken,
  stepId,
  type Workflow,
  type WorkflowEndpointFacts,
  type WorkflowStep,
} from './workflows.js';

export const ARAZZO_PATH = '/api/programmatic/workflows.arazzo.json';
/** The name the Arazzo document gives the OpenAPI document it runs against. */
const SOURCE = 'api';

type Json = Record<string, unknown>;

/** What the boot-time check needs from the catalog's endpoints. */
export function endpointFacts(
  endpoints: readonly CatalogEndpoint[],
): Map<string, WorkflowEndpointFacts> {
  return new Map(endpoints.map((e) => [e.id, { takesToken: e.pat.supported }]));
}

/**
 * The scopes a token needs to run the workflow: the union of its executed steps' scopes, minus
 * any another one in the set implies (posts:write covers posts:read). Computed from the access
 * rules, never typed by hand.
 */
export function workflowScopes(
  workflow: Workflow,
  byId: ReadonlyMap<string, CatalogEndpoint>,
): Scope[] {
  const all = new Set<Scope>();
  for (const step of executableSteps(workflow))
    for (const s of byId.get(step.endpoint)?.pat.scopes ?? []) all.add(s as Scope);
  return [...all]
    .filter((s) => ![...all].some((other) => other !== s && effectiveScopes([other]).has(s)))
    .sort();
}

/** The workflow's inputs with the generated `token` input where a step takes one. */
export function workflowInputs(
  workflow: Workflow,
  facts: ReadonlyMap<string, WorkflowEndpointFacts>,
): JsonSchemaObject {
  const declared = workflow.inputs ?? { type: 'object', properties: {} };
  if (!needsToken(workflow, facts)) return declared;
  return {
    type: 'object',
    properties: {
      token: {
        type: 'string',
        description:
          "A personal access token (gpx_pat_…) holding the workflow's scopes (x-gpx-scopes); create one in Settings → API.",
      },
      ...declared.properties,
    },
    required: ['token', ...(declared.required ?? [])],
  };
}

/** JSON Pointer escaping of an OpenAPI path for an operationPath. */
function pointer(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1');
}

function arazzoStep(step: WorkflowStep, endpoint: CatalogEndpoint, token: boolean): Json {
  const parameters: Json[] = (step.parameters ?? []).map((p) => ({ ...p }));
  if (token && endpoint.pat.supported)
    parameters.unshift({ name: 'Authorization', in: 'header', value: 'Bearer {$inputs.token}' });
  const target = step.callUrl
    ? { 'x-operation': { url: step.callUrl, method: endpoint.method.toLowerCase() } }
    : {
        // operationPath, not operationId: Redocly reads a dotted operationId (posts.create) as
        // <sourceDescription>.<operationId> and fails.
        operationPath: `{$sourceDescriptions.${SOURCE}.url}#/paths/${pointer(endpoint.path)}/${endpoint.method.toLowerCase()}`,
      };
  return {
    stepId: stepId(step),
    description: step.carry ? `${step.does} Carry: ${step.carry}.` : step.does,
    ...target,
    'x-gpx-endpoint': endpoint.id,
    ...(parameters.length ? { parameters } : {}),
    ...(step.requestBody
      ? {
          requestBody: {
            contentType: step.requestBody.contentType ?? 'application/json',
            payload: step.requestBody.payload,
          },
        }
      : {}),
    successCriteria: (step.successCriteria ?? []).map((condition) => ({ condition })),
    ...(step.retry
      ? {
          onFailure: [
            {
              name: 'poll',
              type: 'retry',
              retryAfter: step.retry.afterSeconds,
              retryLimit: step.retry.limit,
            },
          ],
        }
      : {}),
    ...(step.outputs ? { outputs: step.outputs } : {}),
  };
}

/**
 * The Arazzo 1.0.1 document of every workflow, from the same registry as the catalog. Security
 * goes through inputs: each step that takes a token sends `Authorization: Bearer {$inputs.token}`.
 */
export function buildArazzo(
  workflows: readonly Workflow[],
  endpoints: readonly CatalogEndpoint[],
  publicBaseUrl: string,
  version: string,
): Json {
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const facts = endpointFacts(endpoints);
  return {
    arazzo: '1.0.1',
    info: {
      title: 'GetPaidX workflows',
      summary: 'The catalog’s workflows, executable by any Arazzo runner.',
      description:
        'Generated from the same registry as the workflows in GET /api/programmatic/catalog. Each workflow needs a personal access token holding the scopes in its x-gpx-scopes (input `token`).',
      version,
    },
    sourceDescriptions: [
      { name: SOURCE, url: `${publicBaseUrl}/api/openapi.json`, type: 'openapi' },
    ],
    workflows: workflows.map((w) => {
      const token = needsToken(w, facts);
      return {
        workflowId: w.id,
        summary: w.summary,
        'x-gpx-scopes': workflowScopes(w, byId),
        ...(w.runnable
          ? { 'x-gpx-runnable': false, 'x-gpx-not-runnable-because': w.runnable.reason }
          : {}),
        inputs: workflowInputs(w, facts),
        steps: executableSteps(w).map((s) => arazzoStep(s, byId.get(s.endpoint)!, token)),
        ...(w.outputs ? { outputs: w.outputs } : {}),
      };
    }),
  };
}

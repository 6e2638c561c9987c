import type { AccessKind } from '../access/access-kinds.js';
import type { describeScopes } from '../access/scopes.js';
import type { ErrorCode } from '../common/index.js';
import type { BodyHint, FieldHint, ResponseHint } from './field-hints.js';
import type { CatalogWebhookEvent } from './webhook-events.js';
import type { Workflow } from './workflows.js';

export interface CatalogEndpoint {
  id: string;
  module: string;
  method: string;
  path: string;
  summary: string;
  authKind: AccessKind;
  pat: { supported: boolean; scopes: string[] };
  browserSession: { supported: boolean; csrf: boolean };
  request: {
    params: FieldHint[];
    query: FieldHint[];
    body: BodyHint | null;
  };
  response: ResponseHint | null;
  errors: CatalogError[];
  idempotent: boolean;
  pagination: boolean;
  /**
   * Whether the route honours a token's resource pin (`resources`): posts outside it answer 404
   * and lists leave them out. From `@HonoursResourcePinning()`.
   */
  honoursResourcePinning: boolean;
  workflows: string[];
}

export interface CatalogError {
  status: number;
  code: ErrorCode;
  when: string;
}

export type CatalogWorkflow = Omit<Workflow, 'runnable'> & {
  /** What a token needs to run it: computed from the steps' endpoints, never typed by hand. */
  scopes: string[];
  /** Set only when it cannot run against a local server, with the reason. */
  runnable?: false;
  notRunnableBecause?: string;
  steps: (Workflow['steps'][number] & { method?: string; path?: string })[];
};

export interface CatalogDocument {
  catalogVersion: string;
  generatedAt: string;
  links: Record<string, string>;
  scopes: ReturnType<typeof describeScopes>;
  scopeGroups: { name: string; scopes: string[] }[];
  authKinds: { kind: AccessKind; description: string }[];
  errors: { status: number; code: string; title: string; when: string }[];
  endpoints: CatalogEndpoint[];
  workflows: CatalogWorkflow[];
  /** The event types webhook endpoints may subscribe to, with the JSON Schema of their `data`. */
  webhookEvents: CatalogWebhookEvent[];
}

/**
 * The scope registry: the only list of scopes in the code. The guard, token creation, the
 * catalog, OpenAPI and the Settings → API scope picker all read it.
 */
export const SCOPE_GROUPS = ['Content', 'Workspace', 'Billing', 'Account'] as const;
export type ScopeGroup = (typeof SCOPE_GROUPS)[number];

interface ScopeDefinition {
  readonly group: ScopeGroup;
  readonly description: string;
  /** Scopes this one grants as well. */
  readonly implies: readonly string[];
}

export const SCOPES = {
  'posts:read': {
    group: 'Content',
    description: 'Read posts and the feed, including your drafts.',
    implies: [],
  },
  'posts:write': {
    group: 'Content',
    description: 'Create, edit, price, moderate and delete your posts. Includes posts:read.',
    implies: ['posts:read'],
  },
  'places:read': { group: 'Content', description: 'Search and read places.', implies: [] },
  'artifacts:write': {
    group: 'Content',
    description: "Upload and replace your posts' artifacts.",
    implies: [],
  },
  'workspaces:run': {
    group: 'Workspace',
    description: 'Queue and inspect automation runs.',
    implies: [],
  },
  'workspaces:manage': {
    group: 'Workspace',
    description: 'Start and close workspace sessions, manage bindings and automation rules.',
    implies: [],
  },
  'billing:read': {
    group: 'Billing',
    description: 'Read plan, billing state and subscriptions.',
    implies: [],
  },
  'billing:checkout': {
    group: 'Billing',
    description: 'Create hosted Stripe checkout links.',
    implies: [],
  },
  'billing:manage': {
    group: 'Billing',
    description: 'Change plan and cancel subscriptions.',
    implies: [],
  },
  'payouts:manage': {
    group: 'Billing',
    description: 'Start Stripe Connect payout onboarding and read payout status.',
    implies: [],
  },
  'transfers:manage': {
    group: 'Billing',
    description: 'List and retry co-seller and referral transfers.',
    implies: [],
  },
  'notifications:read': {
    group: 'Account',
    description: 'Read notification settings.',
    implies: [],
  },
  'notifications:write': {
    group: 'Account',
    description: 'Change notification settings. Includes notifications:read.',
    implies: ['notifications:read'],
  },
  'memberships:manage': {
    group: 'Account',
    description: 'Search members and set member tags.',
    implies: [],
  },
  'sharing:manage': {
    group: 'Account',
    description: 'Manage referral paths and AI QR generations.',
    implies: [],
  },
  'webhooks:manage': {
    group: 'Account',
    description: 'Add, list and delete outgoing webhook endpoints.',
    implies: [],
  },
} as const satisfies Record<string, ScopeDefinition>;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

// Every implied scope must itself be a registered scope.
for (const s of ALL_SCOPES)
  for (const i of SCOPES[s].implies)
    if (!isScope(i)) throw new Error(`${s} implies an unknown scope`);

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCOPES, value);
}

/** Granted scopes plus everything they imply. */
export function effectiveScopes(granted: readonly Scope[]): Set<Scope> {
  const out = new Set<Scope>();
  const add = (s: Scope) => {
    if (out.has(s)) return;
    out.add(s);
    for (const implied of SCOPES[s].implies as readonly Scope[]) add(implied);
  };
  granted.forEach(add);
  return out;
}

/** Each scope with everything it implies, worked out once: the per-request checks only look up. */
const IMPLIED_BY = new Map<Scope, ReadonlySet<Scope>>(
  ALL_SCOPES.map((s) => [s, effectiveScopes([s])]),
);

/** Whether a grant of `granted` covers `required` (directly or by implication). */
function covers(granted: readonly Scope[], required: Scope): boolean {
  for (const g of granted) if (IMPLIED_BY.get(g)?.has(required)) return true;
  return false;
}

/**
 * The granted scopes a call needing `required` actually relies on: each required scope held
 * directly, else every granted scope implying it (a posts:write token reading the feed used
 * posts:write). What the least-privilege hints count as used.
 */
export function grantsUsed(granted: readonly Scope[], required: readonly Scope[]): Scope[] {
  if (required.length === 0) return [];
  const used = new Set<Scope>();
  for (const r of required) {
    if (granted.includes(r)) used.add(r);
    else for (const g of granted) if (IMPLIED_BY.get(g)?.has(r)) used.add(g);
  }
  return [...used].sort();
}

/** Required scopes the grant does not cover (implications included). */
export function missingScopes(granted: readonly Scope[], required: readonly Scope[]): Scope[] {
  return required.filter((s) => !covers(granted, s));
}

/** The registry as published data (catalog, OpenAPI, the scope picker). */
export function describeScopes() {
  return ALL_SCOPES.map((name) => ({
    name,
    group: SCOPES[name].group,
    description: SCOPES[name].description,
    implies: [...(SCOPES[name].implies as readonly Scope[])],
  }));
}

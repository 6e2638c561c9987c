import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the account endpoints, listed in the catalog (registered on AccountModule). */
export const ACCOUNT_WORKFLOWS: Workflow[] = [
  {
    id: 'create_personal_access_token',
    summary:
      'Sign in with a browser session and mint a personal access token with the smallest set of scopes (browser only).',
    inputs: {
      type: 'object',
      properties: {
        email: { type: 'string' },
        password: { type: 'string' },
        tokenName: { type: 'string', examples: ['nightly export script'] },
        scopes: {
          type: 'array',
          items: { type: 'string' },
          examples: [['posts:write', 'places:read']],
        },
        narrowTo: {
          type: 'array',
          items: { type: 'string' },
          description: 'A subset of scopes to keep when narrowing.',
          examples: [['posts:write']],
        },
      },
      required: ['email', 'password', 'tokenName', 'scopes', 'narrowTo'],
    },
    steps: [
      {
        endpoint: 'auth.login',
        does: 'Sign in; the response sets the session cookie.',
        carry: 'the session cookie and csrfToken',
        requestBody: { payload: { email: '$inputs.email', password: '$inputs.password' } },
        successCriteria: ['$statusCode == 200'],
        outputs: {
          cookie: '$response.header.set-cookie',
          csrfToken: '$response.body#/csrfToken',
        },
      },
      {
        endpoint: 'tokens.create',
        does: 'Create the token with the cookie and X-CSRF-Token; the raw value is in this response only.',
        carry: 'token (store it as a secret)',
        parameters: [
          { name: 'Cookie', in: 'header', value: '$steps.auth_login.outputs.cookie' },
          { name: 'X-CSRF-Token', in: 'header', value: '$steps.auth_login.outputs.csrfToken' },
        ],
        requestBody: { payload: { name: '$inputs.tokenName', scopes: '$inputs.scopes' } },
        successCriteria: ['$statusCode == 201'],
        outputs: { tokenId: '$response.body#/id', token: '$response.body#/token' },
      },
      {
        endpoint: 'tokens.list',
        does: 'Check the token is listed (metadata only); scopesUsedLast30Days shows which scopes it really uses.',
        parameters: [{ name: 'Cookie', in: 'header', value: '$steps.auth_login.outputs.cookie' }],
        successCriteria: ['$statusCode == 200'],
      },
      {
        endpoint: 'tokens.narrow',
        does: 'Later, drop the scopes it has not used (PATCH with a subset of its scopes; widening is refused).',
        parameters: [
          { name: 'tokenId', in: 'path', value: '$steps.tokens_create.outputs.tokenId' },
          { name: 'Cookie', in: 'header', value: '$steps.auth_login.outputs.cookie' },
          { name: 'X-CSRF-Token', in: 'header', value: '$steps.auth_login.outputs.csrfToken' },
        ],
        requestBody: { payload: { scopes: '$inputs.narrowTo' } },
        successCriteria: ['$statusCode == 200'],
        outputs: { scopes: '$response.body#/scopes' },
      },
      {
        endpoint: 'tokens.rotate',
        does: 'To rotate: a new value for the same grant; the old value keeps working for graceSeconds (default 1 hour), then is refused.',
        carry: 'the new token (store it; retire the old one before the grace ends)',
        parameters: [
          { name: 'tokenId', in: 'path', value: '$steps.tokens_create.outputs.tokenId' },
          { name: 'Cookie', in: 'header', value: '$steps.auth_login.outputs.cookie' },
          { name: 'X-CSRF-Token', in: 'header', value: '$steps.auth_login.outputs.csrfToken' },
        ],
        requestBody: { payload: {} },
        successCriteria: ['$statusCode == 201'],
        outputs: { token: '$response.body#/token' },
      },
    ],
    outputs: {
      tokenId: '$steps.tokens_create.outputs.tokenId',
      token: '$steps.tokens_rotate.outputs.token',
    },
  },
  {
    id: 'inspect_my_token',
    summary:
      'From a script: find out which user and scopes a personal access token carries before relying on it.',
    inputs: {
      type: 'object',
      properties: {
        endpointId: {
          type: 'string',
          description: 'The catalog id of a route to ask about.',
          examples: ['posts.create'],
        },
      },
      required: ['endpointId'],
    },
    steps: [
      {
        endpoint: 'tokens.self',
        does: 'Read the calling token: name, scopes, expiry, last use.',
        carry: 'scopes',
        successCriteria: ['$statusCode == 200'],
        outputs: { scopes: '$response.body#/scopes' },
      },
      {
        endpoint: 'me.get',
        does: 'Read the user the token acts for.',
        successCriteria: ['$statusCode == 200'],
        outputs: { userId: '$response.body#/user/id' },
      },
      {
        endpoint: 'tokens.self_check',
        does: 'Before calling a route, ask whether this token may: {"endpointId": "posts.create"} or {"method": "POST", "path": "/api/posts"}; the answer names any missing scopes.',
        carry: 'allowed, missingScopes',
        requestBody: { payload: { endpointId: '$inputs.endpointId' } },
        successCriteria: ['$statusCode == 200'],
        outputs: {
          allowed: '$response.body#/allowed',
          missingScopes: '$response.body#/missingScopes',
        },
      },
      {
        endpoint: 'tokens.self_rotate',
        does: 'Rotate this token itself (same name, scopes and expiry); switch to the new value within graceSeconds.',
        carry: 'the new token',
        requestBody: { payload: {} },
        successCriteria: ['$statusCode == 201'],
        outputs: { token: '$response.body#/token' },
      },
    ],
    outputs: {
      scopes: '$steps.tokens_self.outputs.scopes',
      allowed: '$steps.tokens_self_check.outputs.allowed',
      token: '$steps.tokens_self_rotate.outputs.token',
    },
  },
  {
    id: 'report_leaked_tokens',
    summary:
      'For secret scanners (no account needed): report GetPaidX tokens found exposed; live ones are revoked at once and their owners emailed.',
    inputs: {
      type: 'object',
      properties: {
        tokens: {
          type: 'array',
          items: { type: 'string', pattern: '^gpx_pat_[0-9A-Za-z]{38}$' },
          minItems: 1,
          maxItems: 1000,
          description: 'Candidates found by the pattern gpx_pat_[0-9A-Za-z]{38}.',
        },
        source: {
          type: 'string',
          description: 'Where they were found, e.g. the URL of a public commit.',
          examples: ['https://example.com/some/public/commit'],
        },
      },
      required: ['tokens'],
    },
    steps: [
      {
        endpoint: 'tokens.report_leaked',
        id: 'report_leaked',
        does: 'POST up to 1,000 candidates found by the pattern gpx_pat_[0-9A-Za-z]{38}, with an optional source (where they were found): {"tokens": ["gpx_pat_…"], "source": "https://…"}. Check the CRC-32 checksum offline first if you can; the answer is 202 with counts only (received, checksumValid, checksumInvalid), never which tokens matched. 30 calls per minute per IP; on 429 wait Retry-After seconds.',
        carry: 'nothing: the owners are told; report the same token again at no harm',
        requestBody: { payload: { tokens: '$inputs.tokens', source: '$inputs.source' } },
        successCriteria: ['$statusCode == 202'],
        outputs: {
          received: '$response.body#/received',
          checksumValid: '$response.body#/checksumValid',
        },
      },
    ],
    outputs: {
      received: '$steps.report_leaked.outputs.received',
      checksumValid: '$steps.report_leaked.outputs.checksumValid',
    },
  },
  {
    id: 'delegate_to_agent',
    summary:
      'From an agent holding a personal access token: mint a short-lived child token, narrower than your own, for a sub-task or a sub-agent.',
    inputs: {
      type: 'object',
      properties: {
        childName: { type: 'string', examples: ['summariser sub-agent'] },
        childScopes: {
          type: 'array',
          items: { type: 'string' },
          description: 'A subset of the calling token’s scopes.',
          examples: [['posts:read']],
        },
        ttlSeconds: {
          type: 'integer',
          minimum: 60,
          maximum: 86400,
          description:
            'How long the child lives: at most 24 hours, and not past the parent’s expiry.',
          examples: [900],
        },
      },
      required: ['childName', 'childScopes', 'ttlSeconds'],
    },
    steps: [
      {
        endpoint: 'tokens.self',
        id: 'delegate_read_own_grant',
        does: 'Read your own grant: scopes, allowedIps, resources (pinned posts) and expiry; the child must fit inside all of them.',
        carry: 'scopes, allowedIps, resources, expiresAt',
        successCriteria: ['$statusCode == 200'],
        outputs: { parentScopes: '$response.body#/scopes', parentId: '$response.body#/id' },
      },
      {
        endpoint: 'tokens.self_children_create',
        id: 'delegate_mint_child',
        does: 'Mint the child: {name, scopes (a subset of yours), ttlSeconds (at most 86400 and not past your expiry), optional resources and allowedIps (omitted: inherited)}. A wider request is a 400 naming each field that exceeds; a child token cannot mint (child_token_cannot_mint).',
        carry: 'token (hand it to the sub-agent; it is shown once)',
        requestBody: {
          payload: {
            name: '$inputs.childName',
            scopes: '$inputs.childScopes',
            ttlSeconds: '$inputs.ttlSeconds',
          },
        },
        successCriteria: ['$statusCode == 201'],
        outputs: {
          childToken: '$response.body#/token',
          childId: '$response.body#/id',
          childExpiresAt: '$response.body#/expiresAt',
        },
      },
      {
        endpoint: 'tokens.self_children_list',
        id: 'delegate_list_children',
        does: 'List the children you minted that are still live. Revoking or rotating your own token revokes them all at once.',
        successCriteria: [
          '$statusCode == 200',
          '$response.body#/items/0/parentId == $steps.delegate_read_own_grant.outputs.parentId',
        ],
      },
    ],
    outputs: {
      childToken: '$steps.delegate_mint_child.outputs.childToken',
      childExpiresAt: '$steps.delegate_mint_child.outputs.childExpiresAt',
    },
  },
  {
    id: 'update_notification_settings',
    summary:
      'From a script with notifications:write: read the notification settings, then change only the switches you mean to.',
    inputs: {
      type: 'object',
      properties: {
        productUpdates: { type: 'boolean', description: 'The email switch to set.' },
      },
      required: ['productUpdates'],
    },
    steps: [
      {
        endpoint: 'notifications.get_settings',
        does: 'Read the current settings (created with the defaults on first read).',
        carry: 'the switches to change',
        successCriteria: ['$statusCode == 200'],
        outputs: { email: '$response.body#/email' },
      },
      {
        endpoint: 'notifications.update_settings',
        does: 'Send only the fields to change, e.g. {"email": {"productUpdates": false}}; the answer is the full settings.',
        requestBody: { payload: { email: { productUpdates: '$inputs.productUpdates' } } },
        successCriteria: ['$statusCode == 200'],
        outputs: { email: '$response.body#/email' },
      },
    ],
    outputs: { email: '$steps.notifications_update_settings.outputs.email' },
  },
  {
    id: 'tag_members',
    summary:
      'As a creator, find members and set their tags (token with memberships:manage), so posts with those audience tags reach them.',
    inputs: {
      type: 'object',
      properties: {
        q: { type: 'string', description: 'Display name or email prefix.' },
        tags: { type: 'array', items: { type: 'string' }, examples: [['vip']] },
      },
      required: ['q', 'tags'],
    },
    steps: [
      {
        endpoint: 'memberships.members.list',
        does: 'Search your members by display name or email prefix (q), or list those holding a tag.',
        carry: 'memberId of each member to tag, and their current tags',
        parameters: [{ name: 'q', in: 'query', value: '$inputs.q' }],
        successCriteria: ['$statusCode == 200'],
        outputs: { memberId: '$response.body#/items/0/memberId' },
      },
      {
        endpoint: 'memberships.members.set_tags',
        does: 'PUT the full new tag list (it replaces the old one; [] removes all). Takes effect at once.',
        parameters: [
          {
            name: 'memberId',
            in: 'path',
            value: '$steps.memberships_members_list.outputs.memberId',
          },
        ],
        requestBody: { payload: { tags: '$inputs.tags' } },
        successCriteria: ['$statusCode == 200'],
        outputs: { tags: '$response.body#/tags' },
      },
    ],
    outputs: { tags: '$steps.memberships_members_set_tags.outputs.tags' },
  },
];

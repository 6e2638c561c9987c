import type { Workflow } from '../../catalog/workflows.js';

const postIdInput = {
  postId: { type: 'string', description: 'One of your posts.' },
};

/** Recipes across the workspace endpoints, listed in the catalog (registered on WorkspaceModule). */
export const WORKSPACE_WORKFLOWS: Workflow[] = [
  {
    id: 'run_workspace_automation',
    summary:
      'Queue an automation run of one of your posts and poll it to its end, with a token holding workspaces:run.',
    inputs: {
      type: 'object',
      properties: {
        ...postIdInput,
        prompt: { type: 'string', examples: ['Summarise this week’s sales.'] },
        idempotencyKey: { type: 'string', examples: ['weekly-summary-2026-11-28'] },
      },
      required: ['postId', 'prompt', 'idempotencyKey'],
    },
    steps: [
      {
        endpoint: 'workspace.runs.create',
        does: 'POST {postId, prompt, idempotencyKey}; keep the key, so a retry after a network error returns the same run instead of a second one.',
        carry: 'id as the run id',
        requestBody: {
          payload: {
            postId: '$inputs.postId',
            prompt: '$inputs.prompt',
            idempotencyKey: '$inputs.idempotencyKey',
          },
        },
        successCriteria: ['$statusCode == 202'],
        outputs: { runId: '$response.body#/id' },
      },
      {
        endpoint: 'workspace.runs.get',
        does: 'Poll every few seconds until status is SUCCEEDED, FAILED, CANCELLED or TIMED_OUT.',
        carry: 'output (or error)',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.workspace_runs_create.outputs.runId' },
        ],
        successCriteria: ['$statusCode == 200', "$response.body#/status == 'SUCCEEDED'"],
        retry: { afterSeconds: 1, limit: 30 },
        outputs: { status: '$response.body#/status', output: '$response.body#/output' },
      },
      {
        endpoint: 'workspace.runs.cancel',
        optional: true,
        does: 'Optional: stop a run that is no longer wanted.',
      },
    ],
    outputs: {
      runId: '$steps.workspace_runs_create.outputs.runId',
      output: '$steps.workspace_runs_get.outputs.output',
    },
  },
  {
    id: 'start_workspace_session',
    summary:
      'Open a VIEW or EDIT session of one of your posts’ workspace (or resume yours), with a token holding workspaces:manage.',
    inputs: {
      type: 'object',
      properties: { ...postIdInput, mode: { type: 'string', enum: ['VIEW', 'EDIT'] } },
      required: ['postId', 'mode'],
    },
    steps: [
      {
        endpoint: 'workspace.sessions.start',
        does: 'POST {postId, mode}; resumed: true means your active session was reused. On 503 controllers_busy wait Retry-After seconds; on 429 concurrency_limit close one first.',
        carry: 'url to open; id to close it later',
        requestBody: { payload: { postId: '$inputs.postId', mode: '$inputs.mode' } },
        successCriteria: ['$statusCode == 201'],
        outputs: { sessionId: '$response.body#/id', url: '$response.body#/url' },
      },
      {
        endpoint: 'workspace.sessions.close',
        does: 'Close it when done (or workspace.sessions.close_all for every session).',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.workspace_sessions_start.outputs.sessionId' },
        ],
        successCriteria: ['$statusCode == 200'],
        outputs: { status: '$response.body#/status' },
      },
    ],
    outputs: { url: '$steps.workspace_sessions_start.outputs.url' },
  },
  {
    id: 'bind_workspace_secret',
    summary:
      'Give a post’s workspace a named secret or one of your PATs, with a token holding workspaces:manage.',
    inputs: {
      type: 'object',
      properties: {
        ...postIdInput,
        name: { type: 'string', examples: ['STRIPE_KEY'], description: 'Upper case, digits, _.' },
        value: { type: 'string', description: 'Write-only.' },
      },
      required: ['postId', 'name', 'value'],
    },
    steps: [
      {
        endpoint: 'workspace.bindings.put',
        does: 'PUT /api/workspace/{postId}/bindings/{NAME} with {value} (write-only) or {tokenId}.',
        parameters: [
          { name: 'postId', in: 'path', value: '$inputs.postId' },
          { name: 'name', in: 'path', value: '$inputs.name' },
        ],
        requestBody: { payload: { value: '$inputs.value' } },
        successCriteria: ['$statusCode == 200'],
        outputs: { kind: '$response.body#/kind' },
      },
      {
        endpoint: 'workspace.bindings.list',
        does: 'Check which names are bound (values are never returned).',
        parameters: [{ name: 'postId', in: 'path', value: '$inputs.postId' }],
        successCriteria: ['$statusCode == 200'],
        outputs: { names: '$response.body#/items' },
      },
    ],
  },
  {
    id: 'create_webhook_automation',
    summary:
      'Let an outside system start runs of one of your posts through a signed inbound hook, with a token holding workspaces:manage.',
    runnable: {
      reason:
        'The inbound hook must carry X-GPX-Signature, an HMAC-SHA256 of "t.body" under the hookSecret the first step returns; Arazzo has no expression to compute it, so the outside system (not a runner) sends step 2.',
    },
    inputs: {
      type: 'object',
      properties: {
        ...postIdInput,
        promptTemplate: {
          type: 'string',
          examples: ['New order {{payload.orderId}}: thank them.'],
        },
        payload: { type: 'object', description: 'What the outside system sends.' },
        signature: {
          type: 'string',
          description: 't=<unix>,v1=<hex HMAC-SHA256 of "t.body" under hookSecret>',
        },
      },
      required: ['postId', 'promptTemplate', 'payload', 'signature'],
    },
    steps: [
      {
        endpoint: 'workspace.rules.create',
        does: 'POST {postId, trigger: {type: "WEBHOOK_EVENT"}, promptTemplate (use {{payload.…}}), cooldownSeconds}.',
        carry: 'trigger.hookUrl and hookSecret (shown once: store it now)',
        requestBody: {
          payload: {
            postId: '$inputs.postId',
            trigger: { type: 'WEBHOOK_EVENT' },
            promptTemplate: '$inputs.promptTemplate',
          },
        },
        successCriteria: ['$statusCode == 201'],
        outputs: {
          hookUrl: '$response.body#/trigger/hookUrl',
          hookSecret: '$response.body#/hookSecret',
        },
      },
      {
        endpoint: 'workspace.hooks.receive',
        does: 'The outside system POSTs JSON to hookUrl with X-GPX-Webhook-Secret and X-GPX-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">.',
        carry: 'runId of the queued run',
        callUrl: '$steps.workspace_rules_create.outputs.hookUrl',
        parameters: [
          {
            name: 'X-GPX-Webhook-Secret',
            in: 'header',
            value: '$steps.workspace_rules_create.outputs.hookSecret',
          },
          { name: 'X-GPX-Signature', in: 'header', value: '$inputs.signature' },
        ],
        requestBody: { payload: '$inputs.payload' },
        successCriteria: ['$statusCode == 202'],
        outputs: { runId: '$response.body#/runId' },
      },
      {
        endpoint: 'workspace.runs.get',
        id: 'follow_run',
        does: 'Follow the run it queued (with a token holding workspaces:run).',
        parameters: [
          { name: 'id', in: 'path', value: '$steps.workspace_hooks_receive.outputs.runId' },
        ],
        successCriteria: ['$statusCode == 200'],
        outputs: { status: '$response.body#/status' },
      },
    ],
    outputs: { runId: '$steps.workspace_hooks_receive.outputs.runId' },
  },
];

import type { Workflow } from '../../catalog/workflows.js';

/** Recipes across the workspace endpoints, listed in the catalog (registered on WorkspaceModule). */
export const WORKSPACE_WORKFLOWS: Workflow[] = [
  {
    id: 'run_workspace_automation',
    summary:
      'Queue an automation run of one of your posts and poll it to its end, with a token holding workspaces:run.',
    steps: [
      {
        endpoint: 'workspace.runs.create',
        does: 'POST {postId, prompt, idempotencyKey}; keep the key, so a retry after a network error returns the same run instead of a second one.',
        carry: 'id as the run id',
      },
      {
        endpoint: 'workspace.runs.get',
        does: 'Poll every few seconds until status is SUCCEEDED, FAILED, CANCELLED or TIMED_OUT.',
        carry: 'output (or error)',
      },
      {
        endpoint: 'workspace.runs.cancel',
        does: 'Optional: stop a run that is no longer wanted.',
      },
    ],
  },
  {
    id: 'start_workspace_session',
    summary:
      'Open a VIEW or EDIT session of one of your posts’ workspace (or resume yours), with a token holding workspaces:manage.',
    steps: [
      {
        endpoint: 'workspace.sessions.start',
        does: 'POST {postId, mode}; resumed: true means your active session was reused. On 503 controllers_busy wait Retry-After seconds; on 429 concurrency_limit close one first.',
        carry: 'url to open; id to close it later',
      },
      {
        endpoint: 'workspace.sessions.close',
        does: 'Close it when done (or workspace.sessions.close_all for every session).',
      },
    ],
  },
  {
    id: 'bind_workspace_secret',
    summary:
      'Give a post’s workspace a named secret or one of your PATs, with a token holding workspaces:manage.',
    steps: [
      {
        endpoint: 'workspace.bindings.put',
        does: 'PUT /api/workspace/{postId}/bindings/{NAME} with {value} (write-only) or {tokenId}.',
      },
      {
        endpoint: 'workspace.bindings.list',
        does: 'Check which names are bound (values are never returned).',
      },
    ],
  },
  {
    id: 'create_webhook_automation',
    summary:
      'Let an outside system start runs of one of your posts through a signed inbound hook, with a token holding workspaces:manage.',
    steps: [
      {
        endpoint: 'workspace.rules.create',
        does: 'POST {postId, trigger: {type: "WEBHOOK_EVENT"}, promptTemplate (use {{payload.…}}), cooldownSeconds}.',
        carry: 'trigger.hookUrl and hookSecret (shown once: store it now)',
      },
      {
        endpoint: 'workspace.hooks.receive',
        does: 'The outside system POSTs JSON to hookUrl with X-GPX-Webhook-Secret and X-GPX-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">.',
        carry: 'runId of the queued run',
      },
      {
        endpoint: 'workspace.runs.get',
        does: 'Follow the run it queued (with a token holding workspaces:run).',
      },
    ],
  },
];

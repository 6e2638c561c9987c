import type { DomainEventDefinition } from '../../events/index.js';

const runData = {
  type: 'object',
  properties: {
    runId: { type: 'string', format: 'uuid' },
    postId: { type: 'string', format: 'uuid' },
    ruleId: { type: ['string', 'null'], format: 'uuid' },
    trigger: { enum: ['API', 'SCHEDULE', 'WEBHOOK_EVENT', 'PURCHASE_SUCCEEDED'] },
    status: { enum: ['SUCCEEDED', 'FAILED', 'TIMED_OUT'] },
    attempts: { type: 'integer' },
    finishedAt: { type: 'string', format: 'date-time' },
  },
  required: ['runId', 'postId', 'ruleId', 'trigger', 'status', 'attempts', 'finishedAt'],
};

/**
 * Events the Workspace module records (registered on WorkspaceModule), in the transaction that
 * moves a run to its end state. Recipients: the post's author (the run's owner). The payload has
 * ids and the outcome only; output and error text stay behind the authenticated run route.
 */
export const WORKSPACE_EVENTS: DomainEventDefinition[] = [
  {
    type: 'automation_run.succeeded',
    summary: 'An automation run of one of your posts finished successfully.',
    schema: runData,
  },
  {
    type: 'automation_run.failed',
    summary: 'An automation run of one of your posts failed or timed out (`status` says which).',
    schema: runData,
  },
];

import type { Workflow } from '../../catalog/workflows.js';

/** Recipes for agents (registered on AgentsModule). */
export const AGENTS_WORKFLOWS: Workflow[] = [
  {
    id: 'connect_an_agent_over_mcp',
    summary:
      'Point an MCP client at /api/mcp with a personal access token: it lists the tools that token may call and calls them under the same rules as HTTP.',
    inputs: {
      type: 'object',
      properties: {
        endpointId: {
          type: 'string',
          description: 'A route the agent means to call.',
          examples: ['posts.create'],
        },
      },
      required: ['endpointId'],
    },
    steps: [
      {
        endpoint: 'tokens.self_check',
        id: 'check_token',
        does: 'Optionally ask first whether the token may call a route: {"endpointId": "posts.create"}.',
        carry: 'missingScopes (create a narrower or wider token in Settings → API if needed)',
        requestBody: { payload: { endpointId: '$inputs.endpointId' } },
        successCriteria: ['$statusCode == 200'],
        outputs: { missingScopes: '$response.body#/missingScopes' },
      },
      {
        endpoint: 'mcp.post',
        does: 'initialize, then tools/list (only the tools this token may call), then tools/call; prompts/list gives the workflows, resources/read the catalog.',
        parameters: [
          { name: 'Accept', in: 'header', value: 'application/json, text/event-stream' },
        ],
        requestBody: {
          payload: {
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              clientInfo: { name: 'arazzo-runner', version: '1.0.0' },
            },
          },
        },
        successCriteria: ['$statusCode == 200'],
      },
    ],
    outputs: { missingScopes: '$steps.check_token.outputs.missingScopes' },
  },
];

import type { Workflow } from '../../catalog/workflows.js';

/** Recipes for agents (registered on AgentsModule). */
export const AGENTS_WORKFLOWS: Workflow[] = [
  {
    id: 'connect_an_agent_over_mcp',
    summary:
      'Point an MCP client at /api/mcp with a personal access token: it lists the tools that token may call and calls them under the same rules as HTTP.',
    steps: [
      {
        endpoint: 'tokens.self_check',
        does: 'Optionally ask first whether the token may call a route: {"endpointId": "posts.create"}.',
        carry: 'missingScopes (create a narrower or wider token in Settings → API if needed)',
      },
      {
        endpoint: 'mcp.post',
        does: 'initialize, then tools/list (only the tools this token may call), then tools/call; prompts/list gives the workflows, resources/read the catalog.',
      },
    ],
  },
];

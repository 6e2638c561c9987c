export { AgentsModule } from './agents.module.js';
export { McpService } from './mcp/mcp.service.js';
export { buildMcpTools, toolName, type McpTool } from './mcp/mcp-tools.js';

import { Module } from '@nestjs/common';
import { CatalogModule } from '../../catalog/catalog.module.js';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { AGENTS_WORKFLOWS } from './agents.workflows.js';
import { LoopbackDispatcher } from './mcp/loopback-dispatcher.js';
import { McpController } from './mcp/mcp.controller.js';
import { McpService } from './mcp/mcp.service.js';

/**
 * Agent access: the MCP server generated from the catalog. It owns no tables and calls no
 * module: every tool call is an HTTP request through the app's own server.
 */
@RegisterWorkflows(AGENTS_WORKFLOWS)
@Module({
  imports: [CatalogModule],
  controllers: [McpController],
  providers: [McpService, LoopbackDispatcher],
  exports: [McpService],
})
export class AgentsModule {}

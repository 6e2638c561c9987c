import { Inject, Injectable, Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode as RpcErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import type { AuthenticatedRequest, UserPrincipal } from '../../../access/principal.js';
import { CatalogService } from '../../../catalog/catalog.service.js';
import type { CatalogWorkflow } from '../../../catalog/catalog.types.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { LoopbackDispatcher, type LoopbackResponse } from './loopback-dispatcher.js';
import { buildMcpTools, type McpTool, requestFor, toolAllowed } from './mcp-tools.js';

const SERVER_INFO = { name: 'getpaidx', title: 'GetPaidX', version: '1.0.0' };
const CATALOG_MIME = 'application/json';

/**
 * The Model Context Protocol server at /api/mcp (Streamable HTTP, stateless: every POST gets a
 * fresh protocol server bound to the calling token, so nothing is kept between requests and any
 * instance can answer any request). Tools, prompts and the resource are generated from the
 * catalog built at boot; nothing here is written per endpoint.
 */
@Injectable()
export class McpService {
  private readonly logger = new Logger('Mcp');
  private tools?: { list: McpTool[]; byName: Map<string, McpTool> };

  constructor(
    private readonly catalog: CatalogService,
    private readonly loopback: LoopbackDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every tool, generated once from the public catalog and the OpenAPI document. */
  allTools(): McpTool[] {
    return this.toolSet().list;
  }

  async handle(req: AuthenticatedRequest, res: Response, caller: UserPrincipal): Promise<void> {
    const server = this.serverFor(req, caller);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      // One JSON answer per POST: nothing here streams, and proxies handle JSON best.
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private toolSet() {
    if (!this.tools) {
      const endpoints = this.catalog.served(false).document.endpoints;
      const list = buildMcpTools(endpoints, this.catalog.openApiDocument());
      const byName = new Map<string, McpTool>();
      for (const tool of list) {
        byName.set(tool.definition.name, tool);
        // Clients that keep the catalog's ids may call a tool by its endpoint id.
        byName.set(tool.target.endpointId, tool);
      }
      this.tools = { list, byName };
    }
    return this.tools;
  }

  private serverFor(req: AuthenticatedRequest, caller: UserPrincipal): Server {
    const granted = caller.kind === 'pat' ? caller.token.scopes : [];
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      instructions:
        'Tools are the GetPaidX API endpoints this token may call, generated from the catalog. ' +
        'Each call is an HTTP request made with this same token, checked by the same rules. ' +
        'Prompts are the catalog workflows; the catalog itself is a resource.',
    });

    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.toolSet()
        .list.filter((tool) => toolAllowed(tool, granted))
        .map((tool) => tool.definition),
    }));

    server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
      const tool = this.toolSet().byName.get(params.name);
      if (!tool) return toolError('not_found', `No tool named ${params.name}.`);
      const request = requestFor(tool.target, params.arguments ?? {});
      if ('problem' in request) return toolError('validation_failed', request.problem);
      const response = await this.loopback.dispatch({
        method: tool.target.method,
        url: request.url,
        headers: forwardedHeaders(req, tool.definition.name),
        body: request.body,
        remoteAddress: req.ip,
      });
      return toolResult(response);
    });

    const workflows = () => this.catalog.served(false).document.workflows;
    server.setRequestHandler(ListPromptsRequestSchema, () => ({
      prompts: workflows().map((w) => ({ name: w.id, title: w.id, description: w.summary })),
    }));
    server.setRequestHandler(GetPromptRequestSchema, ({ params }) => {
      const workflow = workflows().find((w) => w.id === params.name);
      if (!workflow) throw new McpError(RpcErrorCode.InvalidParams, `No prompt ${params.name}.`);
      return {
        description: workflow.summary,
        messages: [{ role: 'user', content: { type: 'text', text: promptText(workflow) } }],
      };
    });

    const catalogUri = `${this.config.publicBaseUrl}/api/programmatic/catalog`;
    server.setRequestHandler(ListResourcesRequestSchema, () => ({
      resources: [
        {
          uri: catalogUri,
          name: 'catalog',
          title: 'GetPaidX programmatic API catalog',
          description:
            'Every endpoint with its access kind, scopes, inputs, errors and workflows, and the scope registry.',
          mimeType: CATALOG_MIME,
        },
      ],
    }));
    server.setRequestHandler(ReadResourceRequestSchema, ({ params }) => {
      if (params.uri !== catalogUri)
        throw new McpError(RpcErrorCode.InvalidParams, `No resource ${params.uri}.`);
      return {
        contents: [
          {
            uri: catalogUri,
            mimeType: CATALOG_MIME,
            text: this.catalog.served(false).body.toString('utf8'),
          },
        ],
      };
    });

    server.onerror = (err) => this.logger.warn({ err }, 'MCP protocol error');
    return server;
  }
}

/**
 * What a tool call carries over from the MCP request: the credential (the same token, so the
 * same scopes and rate limit) and the user agent. Never a cookie: this route takes tokens only.
 */
function forwardedHeaders(req: AuthenticatedRequest, tool: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // The tool call's request id names the MCP request it came from, so the logs tie them together.
  const parent = (req as AuthenticatedRequest & { id?: unknown }).id;
  if (typeof parent === 'string') headers['x-request-id'] = `${parent}:${tool}`.slice(0, 128);
  const authorization = req.headers.authorization;
  if (authorization) headers.authorization = authorization;
  const agent = req.headers['user-agent'];
  headers['user-agent'] =
    `${typeof agent === 'string' ? agent.slice(0, 400) : 'unknown'} (via MCP)`;
  return headers;
}

/** Files a tool returns inline (as MCP embedded blobs); larger ones are described instead. */
const MAX_INLINE_BYTES = 1024 * 1024;

/** The route's JSON as the tool's result; a problem answer as a tool error with its code. */
function toolResult(response: LoopbackResponse): CallToolResult {
  const { status, body, contentType } = response;
  const json = /^application\/([\w.-]+\+)?json\b/.test(contentType);
  if (status < 400 && body !== '' && !json) return fileResult(response);
  const parsed = parseJson(body);
  if (status >= 400) {
    const problem = isRecord(parsed) ? parsed : {};
    const code = typeof problem.code === 'string' ? problem.code : 'internal_error';
    const detail = typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`;
    return {
      isError: true,
      content: [{ type: 'text', text: `${code}: ${detail}` }],
      structuredContent: { ...problem, status, code, detail },
    };
  }
  if (body === '')
    return { content: [{ type: 'text', text: `Done (HTTP ${status}, no content).` }] };
  return {
    content: [{ type: 'text', text: body }],
    ...(isRecord(parsed) ? { structuredContent: parsed } : {}),
  };
}

/** A non-JSON answer (an artifact download): the bytes as a blob, or a description if large. */
function fileResult({ status, contentType, rawBody }: LoopbackResponse): CallToolResult {
  const mimeType = contentType.split(';')[0].trim() || 'application/octet-stream';
  const summary = { status, contentType: mimeType, bytes: rawBody.length };
  if (rawBody.length > MAX_INLINE_BYTES) {
    return {
      content: [
        {
          type: 'text',
          text: `HTTP ${status}: ${mimeType}, ${rawBody.length} bytes (too large to return inline; download it over HTTP with the same token).`,
        },
      ],
      structuredContent: summary,
    };
  }
  return {
    content: [
      { type: 'text', text: `HTTP ${status}: ${mimeType}, ${rawBody.length} bytes.` },
      {
        type: 'resource',
        resource: { uri: 'gpx:tool-result', mimeType, blob: rawBody.toString('base64') },
      },
    ],
    structuredContent: summary,
  };
}

function toolError(code: string, detail: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${detail}` }],
    structuredContent: { code, detail },
  };
}

function promptText(workflow: CatalogWorkflow): string {
  const described: { method?: string; path?: string }[] = workflow.steps;
  const steps = workflow.steps.map((step, i) => {
    const { method, path } = described[i];
    const route = method && path ? ` (${method} ${path})` : '';
    const carry = step.carry ? ` Carry: ${step.carry}.` : '';
    return `${i + 1}. ${step.endpoint}${route}: ${step.does}${carry}`;
  });
  return `Workflow ${workflow.id}: ${workflow.summary}\n\nSteps (each names a catalog endpoint; its MCP tool has the same name with dots as underscores):\n${steps.join('\n')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

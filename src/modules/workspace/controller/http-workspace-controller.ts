import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import {
  ControllersBusyError,
  type ExecuteRunRequest,
  type RunExecution,
  type StartedSession,
  type StartSessionRequest,
  WorkspaceController,
} from './workspace-controller.js';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The outside workspace controller (WORKSPACE_CONTROLLER_URL), over the JSON contract in the
 * README ("Workspace controller contract"). Requests carry `Authorization: Bearer
 * <INTERNAL_API_TOKEN>`; the controller calls back on the internal events route with the same
 * credential in `X-Internal-Token`. Request bodies carry binding values and are never logged.
 */
@Injectable()
export class HttpWorkspaceController extends WorkspaceController {
  readonly label = 'http' as const;
  private readonly baseUrl: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.baseUrl = config.workspace.controllerUrl!;
  }

  async startSession(request: StartSessionRequest): Promise<StartedSession> {
    const res = await this.call('POST', '/sessions', {
      sessionId: request.sessionId,
      postId: request.postId,
      userId: request.userId,
      mode: request.mode,
      expiresAt: request.expiresAt.toISOString(),
    });
    if (res.status === 503 || res.status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new ControllersBusyError(
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) : 30,
      );
    }
    const body = await this.json(res, 'start session');
    if (typeof body.url !== 'string') throw new Error('workspace controller: no url in session');
    return { url: body.url };
  }

  async stopSession(sessionId: string): Promise<void> {
    const res = await this.call('POST', `/sessions/${encodeURIComponent(sessionId)}/stop`);
    if (!res.ok && res.status !== 404) throw new Error(`workspace controller: stop ${res.status}`);
  }

  async executeRun(request: ExecuteRunRequest): Promise<RunExecution> {
    const res = await this.call(
      'POST',
      '/runs',
      {
        runId: request.runId,
        attempt: request.attempt,
        postId: request.postId,
        runAs: request.runAs,
        prompt: request.prompt,
        workloadProfile: request.workloadProfile,
        bindings: request.bindings,
        eventsUrl: `${this.config.publicBaseUrl}/api/internal/workspace/runs/${request.runId}/events`,
      },
      request.signal,
    );
    if (res.status === 202) {
      await res.body?.cancel();
      return { kind: 'accepted' };
    }
    const body = await this.json(res, 'execute run');
    if (body.state === 'SUCCEEDED' || body.state === 'FAILED')
      return {
        kind: 'finished',
        state: body.state,
        output: typeof body.output === 'string' ? body.output : undefined,
        error: typeof body.error === 'string' ? body.error : undefined,
      };
    throw new Error('workspace controller: execute run answered without a terminal state');
  }

  async cancelRun(runId: string): Promise<void> {
    const res = await this.call('POST', `/runs/${encodeURIComponent(runId)}/cancel`);
    if (!res.ok && res.status !== 404)
      throw new Error(`workspace controller: cancel ${res.status}`);
  }

  private call(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return fetch(this.baseUrl + path, {
      method,
      redirect: 'error',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: {
        Authorization: `Bearer ${this.config.internalApiToken ?? ''}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async json(res: Response, what: string): Promise<Record<string, unknown>> {
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`workspace controller: ${what} answered ${res.status}`);
    }
    const body = (await res.json()) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error(`workspace controller: ${what} answered a non-object`);
    return body as Record<string, unknown>;
  }
}

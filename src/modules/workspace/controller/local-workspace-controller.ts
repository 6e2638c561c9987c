import { createHash } from 'node:crypto';
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

/**
 * Directives the local executor understands in a rendered prompt, so a developer (and the tests)
 * can see every outcome without a real controller: `[[fail: reason]]` ends FAILED with that
 * error; `[[sleep: ms]]` takes that long first (up to the run's timeout, which then wins).
 */
const FAIL = /\[\[fail:\s*([^\]]{1,500})\]\]/;
const SLEEP = /\[\[sleep:\s*(\d{1,7})\]\]/;

/**
 * The built-in stand-in for a container controller (WORKSPACE_CONTROLLER_URL unset). Sessions are
 * the module's own records (TTL and idle expiry are kept there); this only counts capacity and
 * names a `local://` URL, since there is no container to open. Runs execute in-process and end
 * with a deterministic result derived from the rendered prompt.
 */
@Injectable()
export class LocalWorkspaceController extends WorkspaceController {
  readonly label = 'local' as const;
  private readonly sessions = new Set<string>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  startSession(request: StartSessionRequest): Promise<StartedSession> {
    if (this.sessions.size >= this.config.workspace.localCapacity)
      return Promise.reject(new ControllersBusyError(30));
    this.sessions.add(request.sessionId);
    return Promise.resolve({
      url: `local://workspace/${request.postId}/sessions/${request.sessionId}?mode=${request.mode.toLowerCase()}`,
    });
  }

  stopSession(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
    return Promise.resolve();
  }

  async executeRun(request: ExecuteRunRequest): Promise<RunExecution> {
    const sleep = SLEEP.exec(request.prompt);
    if (sleep) await abortableDelay(Number(sleep[1]), request.signal);
    const fail = FAIL.exec(request.prompt);
    if (fail) return { kind: 'finished', state: 'FAILED', error: fail[1].trim() };
    return { kind: 'finished', state: 'SUCCEEDED', output: localResult(request.prompt) };
  }

  cancelRun(): Promise<void> {
    return Promise.resolve(); // the worker aborts its own in-flight execution
  }
}

/** The deterministic result of the local executor: the same prompt always gives the same text. */
export function localResult(prompt: string): string {
  const digest = createHash('sha256').update(prompt, 'utf8').digest('hex');
  const words = prompt.trim().split(/\s+/).filter(Boolean).length;
  return `[local executor] prompt sha256=${digest} chars=${prompt.length} words=${words}`;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The workspace controller: what actually runs sessions and automation runs. The module talks to
 * it only through this abstract class (the class is the injection token), so the real container
 * controller plugs in without changing the API. Two implementations ship:
 *
 * - `HttpWorkspaceController` (WORKSPACE_CONTROLLER_URL set): an outside service reached over a
 *   small JSON contract (README, "Workspace controller contract"), authenticated with
 *   INTERNAL_API_TOKEN; it reports run progress back through the internal route
 *   `POST /api/internal/workspace/runs/{runId}/events`.
 * - `LocalWorkspaceController` (unset): an in-process stand-in so `npm start` works end to end.
 */

export const SESSION_MODES = ['VIEW', 'EDIT'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** Which controller served a session or run; shown in responses so a local stand-in is obvious. */
export type ControllerLabel = 'local' | 'http';

export interface StartSessionRequest {
  sessionId: string;
  postId: string;
  userId: string;
  mode: SessionMode;
  expiresAt: Date;
}

export interface StartedSession {
  /** Where the user opens the session. */
  url: string;
}

/** A binding as handed to the controller: a value read back from its sealed form, or a PAT reference. */
export type ControllerBinding = { name: string; value: string } | { name: string; tokenId: string };

export interface ExecuteRunRequest {
  runId: string;
  /** 1 for the first claim; higher when a worker was lost and the run is tried again. */
  attempt: number;
  postId: string;
  /** The post's author: the run acts on their behalf. */
  runAs: string;
  prompt: string;
  workloadProfile: string;
  bindings: ControllerBinding[];
  /** Aborted when the run is cancelled or times out (the local executor stops then). */
  signal: AbortSignal;
}

/**
 * `finished`: the controller ran it to the end during the call. `accepted`: it runs elsewhere and
 * the controller reports the outcome through the internal events route before the run's deadline.
 */
export type RunExecution =
  | { kind: 'finished'; state: 'SUCCEEDED' | 'FAILED'; output?: string; error?: string }
  | { kind: 'accepted' };

/** No controller can take a new session now; `retryAfterSeconds` goes out as Retry-After. */
export class ControllersBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('workspace controllers are busy');
    this.name = 'ControllersBusyError';
  }
}

export abstract class WorkspaceController {
  abstract readonly label: ControllerLabel;
  /** Throws ControllersBusyError when it cannot take the session now. */
  abstract startSession(request: StartSessionRequest): Promise<StartedSession>;
  /** Idempotent: stopping a session the controller no longer knows succeeds. */
  abstract stopSession(sessionId: string): Promise<void>;
  /**
   * Idempotent per runId: a repeat after a lost worker (higher `attempt`) must not start a second
   * copy of work the controller already has.
   */
  abstract executeRun(request: ExecuteRunRequest): Promise<RunExecution>;
  /** Best effort: the run is already CANCELLED in the database. */
  abstract cancelRun(runId: string): Promise<void>;
}

import { Injectable } from '@nestjs/common';

/**
 * The runs this process is executing right now, by id, so a cancel answered by this instance
 * stops the local execution at once. (Another instance's execution notices at its end: its
 * terminal UPDATE only applies to a run still RUNNING, so a cancelled run stays CANCELLED.)
 */
@Injectable()
export class RunAborts {
  private readonly inFlight = new Map<string, AbortController>();

  track(runId: string): AbortController {
    const controller = new AbortController();
    this.inFlight.set(runId, controller);
    return controller;
  }

  release(runId: string): void {
    this.inFlight.delete(runId);
  }

  abort(runId: string): void {
    this.inFlight.get(runId)?.abort(new Error('cancelled'));
  }

  abortAll(): void {
    for (const controller of this.inFlight.values()) controller.abort(new Error('shutting down'));
  }

  get size(): number {
    return this.inFlight.size;
  }
}

import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Writes taken off a request's critical path (an audit row on a refusal, a token's last use):
 * the response does not wait for them and a failure is only logged, never a 500. Shutdown waits
 * for every one of them before the pool closes: `beforeApplicationShutdown` runs after all
 * modules' `onModuleDestroy` and before TypeORM destroys the data source in
 * `onApplicationShutdown`.
 */
@Injectable()
export class BackgroundWrites implements BeforeApplicationShutdown {
  private readonly pending = new Set<Promise<void>>();

  /** Starts `write` now; `onError` reports its failure (it must not throw). */
  run(write: () => Promise<unknown>, onError: (err: unknown) => void): void {
    const tracked = Promise.resolve()
      .then(write)
      .then(
        () => undefined,
        (err: unknown) => onError(err),
      )
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves once no background write is in flight, including any started while waiting. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}

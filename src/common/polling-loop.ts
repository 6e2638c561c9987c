export interface PollingLoopOptions {
  /** For logs: which loop failed. */
  name: string;
  /** How long an idle loop waits before looking for work again. */
  intervalMs: number;
  /** Does one batch of due work; returns how much it did (0 = nothing was due). */
  tick: () => Promise<number>;
  /** Told about a failed tick; the loop carries on after the interval. Must not throw. */
  onError: (err: unknown) => void;
}

/**
 * Runs a background batch again and again: at once while there is work, after `intervalMs` when
 * idle or after a failure. Only one tick runs at a time per loop; `stop` waits for the one in
 * flight, so shutdown never cuts a batch off halfway (what a batch claimed but did not finish is
 * left to its lease, see `claimDueJobs`).
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: PollingLoopOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs ticks now until one finds nothing due (tests, and a nudge after new work). */
  async runNow(): Promise<void> {
    await this.running;
    for (;;) {
      const did = await this.runTick();
      if (did <= 0) return;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runTick().then((did) => this.schedule(did > 0 ? 0 : this.options.intervalMs));
    }, delayMs);
    // A waiting loop must not keep the process alive on its own.
    this.timer.unref();
  }

  /** One tick, never two at once; a failure counts as "nothing done" so the loop backs off. */
  private async runTick(): Promise<number> {
    while (this.running) await this.running;
    let did = 0;
    const tick = (async () => {
      try {
        did = await this.options.tick();
      } catch (err) {
        this.options.onError(err);
      }
    })();
    this.running = tick;
    try {
      await tick;
    } finally {
      this.running = undefined;
    }
    return did;
  }
}

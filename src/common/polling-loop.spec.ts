import { describe, expect, it } from 'vitest';
import { PollingLoop } from './polling-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PollingLoop', () => {
  it('repeats at once while there is work, then waits the interval', async () => {
    let work = 3;
    let ticks = 0;
    const loop = new PollingLoop({
      name: 't',
      intervalMs: 10_000,
      tick: async () => {
        ticks++;
        return work > 0 ? work-- : 0;
      },
      onError: () => undefined,
    });
    loop.start();
    await sleep(50);
    await loop.stop();
    // Three batches with work, one that found nothing, then the long wait.
    expect(ticks).toBe(4);
  });

  it('never runs two ticks at once, and stop waits for the one in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let finished = 0;
    const loop = new PollingLoop({
      name: 't',
      intervalMs: 1,
      tick: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(20);
        inFlight--;
        finished++;
        return 0;
      },
      onError: () => undefined,
    });
    loop.start();
    await Promise.all([loop.runNow(), loop.runNow()]);
    await sleep(5);
    await loop.stop();
    expect(maxInFlight).toBe(1);
    expect(inFlight).toBe(0);
    const after = finished;
    await sleep(30);
    expect(finished).toBe(after);
  });

  it('reports a failed tick and carries on', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new PollingLoop({
      name: 't',
      intervalMs: 5,
      tick: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return 0;
      },
      onError: (err) => errors.push(err),
    });
    loop.start();
    await sleep(40);
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThan(1);
  });
});

import { BackgroundWrites } from './background-writes.js';

describe('BackgroundWrites', () => {
  it('settles only after every write, including writes started while it waits', async () => {
    const writes = new BackgroundWrites();
    const done: string[] = [];
    const later = (ms: number, name: string) => () =>
      new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => void done.push(name));
    writes.run(
      async () => {
        await later(20, 'first')();
        writes.run(later(20, 'started by first'), () => {});
      },
      () => {},
    );
    writes.run(later(5, 'second'), () => {});
    await writes.beforeApplicationShutdown();
    expect(done).toEqual(['second', 'first', 'started by first']);
  });

  it('reports a failed write to its handler instead of throwing', async () => {
    const writes = new BackgroundWrites();
    const failures: unknown[] = [];
    writes.run(
      () => Promise.reject(new Error('pool closed')),
      (err) => failures.push(err),
    );
    writes.run(
      () => {
        throw new Error('threw before returning a promise');
      },
      (err) => failures.push(err),
    );
    await writes.settled();
    expect(failures.map((e) => (e as Error).message).sort()).toEqual([
      'pool closed',
      'threw before returning a promise',
    ]);
  });
});

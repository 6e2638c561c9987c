import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built server, as `npm start` runs it (`npm run build` first; .ci/run builds before testing). */
const MAIN = resolve(import.meta.dirname, '../../dist/src/main.js');

/** One real app process on loopback. */
export interface AppProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when it exits, with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A port free right now on loopback (the app is told to listen there). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Starts `node dist/src/main.js` with the given environment (DATABASE_URL, REDIS_URL, …) and waits
 * until it is ready. Each process gets a data directory of its own; the test pepper is shared, as
 * a deployment's instances share TOKEN_PEPPER.
 */
export async function startAppProcess(
  env: Record<string, string>,
  options: { waitReady?: boolean } = {},
): Promise<AppProcess> {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build\` before the multi-process suites.`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-proc-'));
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_BASE_URL: url,
      LOG_LEVEL: 'info',
      TOKEN_PEPPER: 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      r(code);
    }),
  );
  const app: AppProcess = {
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitReady !== false)
    await waitReady(app).catch(async (error: unknown) => {
      await app.stop('SIGKILL'); // never leave a half-started server behind
      throw error;
    });
  return app;
}

export async function waitReady(app: AppProcess, timeoutMs = 60_000): Promise<void> {
  let gone = false;
  void app.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the app exited before it was ready:\n${app.output()}`);
    try {
      const res = await fetch(`${app.url}/api/health/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app was not ready within ${timeoutMs} ms:\n${app.output()}`);
}

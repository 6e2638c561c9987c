import { Controller, Get, Module, Query } from '@nestjs/common';
import { type AddressInfo } from 'node:net';
import http from 'node:http';
import { Public } from '../src/access/access-kinds.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Test-only: a request that takes as long as asked, to be in flight when shutdown starts. */
@Controller('test-probe')
class SlowController {
  @Get('slow')
  @Public()
  async slow(@Query('ms') ms: string): Promise<{ waited: number }> {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return { waited: Number(ms) };
  }
}
@Module({ controllers: [SlowController] })
class SlowModule {}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: import('node:net').Socket;
}

function get(agent: http.Agent, port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket: req.socket! }),
      );
    });
    req.on('error', reject);
  });
}

const closed = (socket: import('node:net').Socket) =>
  socket.destroyed ? Promise.resolve() : new Promise<void>((r) => socket.once('close', () => r()));

/**
 * SIGTERM under keep-alive load (main.ts calls RunningApp.close()): no new connections, every
 * response from then on says `Connection: close`, idle keep-alive connections are closed, and a
 * request that outlasts the grace period is cut off so the process exits in bounded time.
 */
describe('shutdown with keep-alive clients', () => {
  let t: TestApp;
  let port: number;
  const GRACE_MS = 1500;

  beforeAll(async () => {
    t = await createTestApp({
      env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), ANONYMOUS_RATE_LIMIT_PER_MINUTE: '10000' },
      extraImports: [SlowModule],
    });
    await t.running.app.listen(0, '127.0.0.1');
    port = (t.running.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('drains: Connection: close on in-flight answers, idle sockets closed, bounded by the grace period', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    try {
      // An idle keep-alive connection, as a client pool holds between requests.
      const idle = await get(agent, port, '/api/health/live');
      expect(idle.status).toBe(200);
      expect(idle.headers.connection).toBe('keep-alive');

      // Requests in flight when shutdown starts: one finishes within the grace period, one not.
      const quick = get(agent, port, '/api/test-probe/slow?ms=300');
      const stuck = get(agent, port, '/api/test-probe/slow?ms=20000').catch(
        (error: NodeJS.ErrnoException) => error,
      );
      await new Promise((r) => setTimeout(r, 100));

      const started = Date.now();
      const closing = t.running.close();

      // The idle connection is closed at once.
      await closed(idle.socket);
      expect(Date.now() - started).toBeLessThan(500);

      // The in-flight request is answered, and told the connection ends with it.
      const answered = await quick;
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.body)).toEqual({ waited: 300 });
      expect(answered.headers.connection).toBe('close');
      await closed(answered.socket);

      // No new connections.
      const refused = await get(new http.Agent(), port, '/api/health/live').catch(
        (error: NodeJS.ErrnoException) => error,
      );
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' });

      // The request that outlasts the grace period is cut off and close() returns.
      await closing;
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(GRACE_MS - 50);
      expect(elapsed).toBeLessThan(GRACE_MS + 3000);
      expect(await stuck).toMatchObject({ code: 'ECONNRESET' });
    } finally {
      agent.destroy();
    }
  });
});

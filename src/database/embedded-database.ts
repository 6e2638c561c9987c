import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded PostgreSQL (PGlite) reachable over loopback with the ordinary `pg` driver. */
export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite on the data directory and serves it on an OS-assigned loopback port, so the app
 * talks to it through the same `pg` driver, SQL and migrations as to a real PostgreSQL. PGlite is
 * single-session: the socket server accepts one connection at a time, and the app's pool is one.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const dbDir = join(dataDir, 'pglite');
  mkdirSync(dbDir, { recursive: true });
  const db = await PGlite.create({ dataDir: dbDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = server.getServerConn();
  let stopped = false;
  return {
    url: `postgresql://postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}

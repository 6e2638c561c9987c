import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Shutting down an HTTP server that clients hold keep-alive connections to. `server.close()`
 * alone stops new connections but keeps serving every request that arrives on an open one, and
 * each response invites the client to send another: under load the server never drains. So, from
 * the moment draining starts:
 * - the listening socket closes (no new connections);
 * - every response still to be written, in flight or arriving on an open connection, carries
 *   `Connection: close`, so Node ends that connection after it and the client reconnects
 *   elsewhere;
 * - idle keep-alive connections (answered, waiting for their next request) are closed at once;
 *   a connection accepted a moment ago whose first request is still on its way is left to send
 *   it and get its answer (Node's closeIdleConnections would reset it: a client that had
 *   connected then saw ECONNRESET without an answer);
 * - after the grace period whatever is left is cut off.
 */
export interface HttpDrainer {
  /** Resolves once every connection has ended, or when the grace period cut them off. */
  drain(graceMs: number): Promise<void>;
}

export function trackForShutdown(server: Server): HttpDrainer {
  let draining = false;
  const unanswered = new Set<ServerResponse>();
  /** Open connections, each with the number of its requests not yet answered. */
  const connections = new Map<Socket, { requests: number; answered: number }>();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { requests: 0, answered: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  const closeIfIdle = (socket: Socket) => {
    const c = connections.get(socket);
    if (c && c.answered > 0 && c.requests === c.answered) socket.destroy();
  };
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // First of all listeners, so the header is set before any handler can answer.
  server.prependListener('request', (req, res: ServerResponse) => {
    const socket = req.socket;
    const c = connections.get(socket);
    if (c) {
      c.requests += 1;
      res.once('finish', () => (c.answered += 1));
    }
    if (draining) return closeAfter(res);
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
    res.once('finish', () => unanswered.delete(res));
  });

  return {
    drain(graceMs) {
      draining = true;
      for (const res of unanswered) closeAfter(res);
      unanswered.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        cutOff.unref();
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        for (const socket of connections.keys()) closeIfIdle(socket);
      });
    },
  };
}

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { CatalogService } from '../../src/catalog/catalog.service.js';

/**
 * Watches every problem response the tests provoke and remembers the ones the catalog does not
 * declare for that route. Agents plan their error handling from `endpoints[].errors`; a route
 * that answers with a code it does not list is a catalog bug, so `TestApp.close()` fails the
 * file that saw one. Only routes the catalog knows are checked (not 404s for unknown paths, not
 * body-parser errors that happen before routing, not the test-only probe routes).
 */
export function watchDeclaredErrors(server: Server, catalog: CatalogService): () => string[] {
  const declared = new Map<string, Set<string>>();
  for (const e of catalog.served(true).document.endpoints)
    declared.set(`${e.method} ${e.path}`, new Set(e.errors.map((x) => `${x.status} ${x.code}`)));
  const undeclared = new Set<string>();

  const listeners = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const type = String(res.getHeader('content-type') ?? '');
      const route = (req as IncomingMessage & { route?: { path?: string } }).route?.path;
      // A HEAD answer has no body to read the code from.
      if (
        res.statusCode >= 400 &&
        type.startsWith('application/problem+json') &&
        route &&
        req.method !== 'HEAD'
      ) {
        const path = route;
        const key = `${req.method} ${path.replace(/:(\w+)/g, '{$1}')}`;
        const chunk = args[0];
        const code = (() => {
          try {
            return (JSON.parse(String(chunk)) as { code?: string }).code;
          } catch {
            return undefined;
          }
        })();
        const known = path.startsWith('/api/test-probe') ? undefined : declared.get(key);
        if (known && !known.has(`${res.statusCode} ${code}`))
          undeclared.add(`${key} answered ${res.statusCode} ${code}`);
      }
      return end(...args);
    }) as ServerResponse['end'];
    for (const listener of listeners) listener(req, res);
  });
  return () => [...undeclared].sort();
}

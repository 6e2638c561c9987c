import type { CatalogEndpoint } from './catalog.types.js';

interface Candidate {
  endpoint: CatalogEndpoint;
  segments: string[];
  /** How many segments are parameters: fewer wins (`/tokens/self` over `/tokens/{tokenId}`). */
  params: number;
}

/**
 * Finds the catalog endpoint a concrete request would reach: `POST /api/posts/123/replies`
 * → `posts.replies.create`. Path templates match one non-empty segment per `{param}`; literal
 * segments beat parameters, as the router registers them. HEAD falls back to GET, as Express
 * answers HEAD with the GET handler.
 */
export class RouteLookup {
  private readonly byMethod = new Map<string, Candidate[]>();
  private readonly byId = new Map<string, CatalogEndpoint>();

  constructor(endpoints: readonly CatalogEndpoint[]) {
    for (const endpoint of endpoints) {
      this.byId.set(endpoint.id, endpoint);
      const segments = split(endpoint.path);
      const list = this.byMethod.get(endpoint.method) ?? [];
      list.push({ endpoint, segments, params: segments.filter(isParam).length });
      this.byMethod.set(endpoint.method, list);
    }
    for (const list of this.byMethod.values()) list.sort((a, b) => a.params - b.params);
  }

  byEndpointId(id: string): CatalogEndpoint | undefined {
    return this.byId.get(id);
  }

  find(method: string, path: string): CatalogEndpoint | undefined {
    const upper = method.toUpperCase();
    const segments = split(path.replace(/[?#].*$/s, ''));
    const match = (m: string) =>
      this.byMethod
        .get(m)
        ?.find(
          (c) =>
            c.segments.length === segments.length &&
            c.segments.every((s, i) => isParam(s) || s === segments[i]),
        )?.endpoint;
    return match(upper) ?? (upper === 'HEAD' ? match('GET') : undefined);
  }
}

function split(path: string): string[] {
  // Express routes ignore a trailing slash; empty segments never name anything.
  return path.split('/').filter((s) => s !== '');
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

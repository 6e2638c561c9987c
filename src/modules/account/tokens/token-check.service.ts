import { Injectable } from '@nestjs/common';
import { type AccessCheck, checkAccess } from '../../../access/access-check.js';
import type { AccessRule } from '../../../access/access-kinds.js';
import type { UserPrincipal } from '../../../access/principal.js';
import { DeclaredRoutes } from '../../../access/route-declarations.js';
import { CatalogService } from '../../../catalog/catalog.service.js';
import { RouteLookup } from '../../../catalog/route-lookup.js';

export interface TokenCheckView extends Omit<AccessCheck, 'authKind'> {
  endpointId: string | null;
  authKind: AccessCheck['authKind'] | null;
  method: string | null;
  path: string | null;
}

/**
 * The can-I check (`POST /api/tokens/self/check`): finds the route in the public catalog and
 * answers with the guard's own decision for the calling token on the rule that route declares.
 * Routes the public catalog does not list (internal, admin-only) are `unknown_route`, as they
 * are to anyone reading the catalog.
 */
@Injectable()
export class TokenCheckService {
  private index?: { lookup: RouteLookup; rules: Map<string, AccessRule> };

  constructor(
    private readonly catalog: CatalogService,
    private readonly routes: DeclaredRoutes,
  ) {}

  check(
    caller: UserPrincipal,
    target: { endpointId: string } | { method: string; path: string },
  ): TokenCheckView {
    const { lookup, rules } = this.built();
    const endpoint =
      'endpointId' in target
        ? lookup.byEndpointId(target.endpointId)
        : lookup.find(target.method, target.path);
    const rule = endpoint && rules.get(endpoint.id);
    if (!endpoint || !rule) {
      return {
        allowed: false,
        endpointId: null,
        authKind: null,
        method: null,
        path: null,
        requiredScopes: [],
        missingScopes: [],
        reason: 'unknown_route',
      };
    }
    return {
      endpointId: endpoint.id,
      method: endpoint.method,
      path: endpoint.path,
      ...checkAccess(rule, caller, endpoint.method),
    };
  }

  private built() {
    if (!this.index) {
      const rules = new Map<string, AccessRule>();
      for (const route of this.routes.list())
        if (route.rule) rules.set(route.operationId, route.rule);
      this.index = {
        lookup: new RouteLookup(this.catalog.served(false).document.endpoints),
        rules,
      };
    }
    return this.index;
  }
}

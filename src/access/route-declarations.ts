import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA, type AccessRule } from './access-kinds.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';

export interface DeclaredRoute {
  /** Controller class name. */
  controller: string;
  /** Handler method name. */
  handler: string;
  /** The access rule the guard enforces, read with the Reflector exactly as the guard does. */
  rule: AccessRule | undefined;
  /** The owning Nest module, from Nest's module graph (`AccountModule` → `account`). */
  module: string;
  /** The OpenAPI operationId (= the catalog's endpoint id). */
  operationId: string;
}

/** A Nest module's name as the catalog shows it: `AccountModule` → `account`. */
export function moduleName(moduleClass: { name: string } | undefined | null): string {
  const name = moduleClass?.name ?? 'core';
  return name.replace(/Module$/, '').replace(/^./, (c) => c.toLowerCase()) || 'core';
}

/**
 * Every route handler of every controller, walked once per app and shared by the boot-time
 * declaration check and the catalog, so both see the same routes.
 */
@Injectable()
export class DeclaredRoutes {
  private routes?: readonly DeclaredRoute[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  list(): readonly DeclaredRoute[] {
    return (this.routes ??= this.walk());
  }

  private walk(): DeclaredRoute[] {
    const out: DeclaredRoute[] = [];
    const operationIds = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | undefined;
      if (!instance || !metatype) continue;
      const module = moduleName(wrapper.host?.metatype);
      const prototype = Object.getPrototypeOf(instance) as Record<string, object>;
      for (const handler of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[handler];
        if (
          Reflect.getMetadata(PATH_METADATA, method) === undefined ||
          Reflect.getMetadata(METHOD_METADATA, method) === undefined
        ) {
          continue;
        }
        const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
          method as never,
          metatype,
        ]);
        const operation = Reflect.getMetadata('swagger/apiOperation', method) as
          { operationId?: string } | undefined;
        // @nestjs/swagger's own default when a route names no operationId.
        const operationId = operation?.operationId ?? `${metatype.name}_${handler}`;
        if (operationIds.has(operationId)) throw new Error(`Duplicate operationId ${operationId}`);
        operationIds.add(operationId);
        out.push({ controller: metatype.name, handler, rule, module, operationId });
      }
    }
    return out;
  }
}

/**
 * Deny by default: every route handler must declare exactly one access kind. A route without one
 * (or naming an unregistered webhook verifier) stops start-up with its controller and method.
 */
@Injectable()
export class RouteDeclarationCheck implements OnApplicationBootstrap {
  constructor(
    private readonly routes: DeclaredRoutes,
    private readonly verifiers: WebhookVerifierRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const problems: string[] = [];
    for (const { controller, handler, rule } of this.routes.list()) {
      if (!rule) {
        problems.push(
          `${controller}.${handler} declares no access kind (add @Public(), @RequireScopes(), @BrowserOnly(), @TokenOnly(), @WebhookIngress(), @Internal() or @AdminOnly())`,
        );
      } else if (rule.kind === 'webhook-ingress' && !this.verifiers.get(rule.verifier)) {
        problems.push(
          `${controller}.${handler} names webhook verifier "${rule.verifier}", which no module registered`,
        );
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `Refusing to start: routes without a valid access declaration:\n  - ${problems.join('\n  - ')}`,
      );
    }
  }
}

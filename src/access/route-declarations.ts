import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA, type AccessRule } from './access-kinds.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';

export interface DeclaredRoute {
  controller: string;
  handler: string;
  rule: AccessRule;
}

/**
 * Deny by default: every route handler must declare exactly one access kind. A route without one
 * (or naming an unregistered webhook verifier) stops start-up with its controller and method.
 */
@Injectable()
export class RouteDeclarationCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly verifiers: WebhookVerifierRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | undefined;
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as object;
        if (
          Reflect.getMetadata(PATH_METADATA, handler) === undefined ||
          Reflect.getMetadata(METHOD_METADATA, handler) === undefined
        ) {
          continue;
        }
        const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
          handler as never,
          metatype,
        ]);
        if (!rule) {
          problems.push(
            `${metatype.name}.${name} declares no access kind (add @Public(), @RequireScopes(), @BrowserOnly(), @WebhookIngress(), @Internal() or @AdminOnly())`,
          );
        } else if (rule.kind === 'webhook-ingress' && !this.verifiers.get(rule.verifier)) {
          problems.push(
            `${metatype.name}.${name} names webhook verifier "${rule.verifier}", which no module registered`,
          );
        }
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `Refusing to start: routes without a valid access declaration:\n  - ${problems.join('\n  - ')}`,
      );
    }
  }
}

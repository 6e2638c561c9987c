import { Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { moduleName } from '../access/route-declarations.js';

/**
 * Named recipes across endpoints for common jobs. Each step names an endpoint id (= its OpenAPI
 * operationId) and what to carry into the next step. A test fails when a step names an endpoint
 * that does not exist.
 */
export interface WorkflowStep {
  endpoint: string;
  does: string;
  carry?: string;
}

export interface Workflow {
  id: string;
  summary: string;
  steps: WorkflowStep[];
}

const WORKFLOWS_METADATA = 'gpx:workflows';

/**
 * On a module class: the workflows across that module's endpoints, kept next to its controllers
 * (e.g. `content.workflows.ts`). The catalog finds them in Nest's module graph, so it never
 * imports a module.
 */
export function RegisterWorkflows(workflows: readonly Workflow[]): ClassDecorator {
  return (target) => Reflect.defineMetadata(WORKFLOWS_METADATA, workflows, target);
}

export interface RegisteredWorkflows {
  /** The registering module, named as the catalog names endpoints' modules. */
  module: string;
  workflows: readonly Workflow[];
}

/** Collects what `@RegisterWorkflows` declared on the app's modules. */
@Injectable()
export class WorkflowRegistry {
  constructor(private readonly modules: ModulesContainer) {}

  /**
   * The workflows of every module, grouped by module, the groups in the order of `moduleOrder`
   * (modules it does not name last, by name) and each group in the module's own order. The order
   * therefore follows the catalog, not the order Nest happened to load modules in.
   */
  list(moduleOrder: readonly string[]): Workflow[] {
    const groups: RegisteredWorkflows[] = [];
    for (const module of this.modules.values()) {
      const workflows = Reflect.getMetadata(WORKFLOWS_METADATA, module.metatype) as
        readonly Workflow[] | undefined;
      if (workflows) groups.push({ module: moduleName(module.metatype), workflows });
    }
    const rank = (module: string) => {
      const index = moduleOrder.indexOf(module);
      return index < 0 ? moduleOrder.length : index;
    };
    groups.sort((a, b) => rank(a.module) - rank(b.module) || a.module.localeCompare(b.module));
    return groups.flatMap((g) => g.workflows);
  }
}

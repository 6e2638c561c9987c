import { Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { moduleName } from '../access/route-declarations.js';

/**
 * Named recipes across endpoints for common jobs, kept next to each module's controllers
 * (`<module>.workflows.ts`) and published twice from the same definitions: in the catalog (prose
 * and structure) and as an Arazzo 1.0.1 document (`/api/programmatic/workflows.arazzo.json`) that a
 * generic runner such as `redocly respect` executes.
 *
 * How to write one (see `content.workflows.ts` → `publish_post` for a complete example):
 *
 * - `inputs`: a JSON Schema object of what the caller supplies (`title`, `postId`, …). Do not
 *   declare `token`: every workflow with a step that takes a personal access token gets a `token`
 *   input, and each such step an `Authorization: Bearer {$inputs.token}` header, generated.
 * - Each step names its `endpoint` (the catalog id = OpenAPI operationId) and keeps its prose
 *   (`does`, `carry`). An executable step also has:
 *   - `id` (optional): its Arazzo stepId; default: the endpoint id with `.` → `_`. Give one when a
 *     workflow calls the same endpoint twice.
 *   - `parameters`: path, query and header values, literal or a runtime expression
 *     (`$inputs.postId`, `$steps.posts_create.outputs.postId`, or embedded: `Bearer {$inputs.x}`).
 *   - `requestBody`: `{ payload }` (JSON unless `contentType` says otherwise); strings in it may be
 *     runtime expressions.
 *   - `successCriteria`: at least one condition, e.g. `$statusCode == 201`.
 *   - `outputs`: names → expressions into the response, e.g. `postId: $response.body#/id`.
 *   - `retry` (optional): for polling, retry the step every `afterSeconds` up to `limit` times
 *     while its criteria fail.
 * - A step marked `optional: true` stays prose only: it is listed in the catalog, but not run, not
 *   in the Arazzo document and not counted in the workflow's scopes. Use it for what a person may
 *   do (price a post) or does outside the API (pay on Stripe's page).
 * - `outputs` of the workflow: names → `$steps.<id>.outputs.<name>`.
 * - `runnable: { reason }` only when the workflow cannot run against a local server at all
 *   (published as `x-gpx-runnable: false` with the reason). Keep these very few.
 * - Never list scopes: the catalog computes them from the endpoints' access rules.
 *
 * `checkWorkflows` runs at boot and refuses a prose-only step, an unknown endpoint, an output that
 * no earlier step produces and an input the schema does not declare, naming the culprit.
 */
export interface WorkflowStep {
  endpoint: string;
  does: string;
  carry?: string;
  /** Prose only: not executed, not in the Arazzo document, not in the workflow's scopes. */
  optional?: true;
  id?: string;
  parameters?: WorkflowParameter[];
  requestBody?: { contentType?: string; payload: unknown };
  successCriteria?: string[];
  outputs?: Record<string, string>;
  retry?: { afterSeconds: number; limit: number };
  /** Redocly's `x-operation`: call a URL an earlier step answered (an upload URL), not a path. */
  callUrl?: string;
}

export interface WorkflowParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  value: string | number | boolean;
}

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

export interface Workflow {
  id: string;
  summary: string;
  inputs?: JsonSchemaObject;
  steps: WorkflowStep[];
  outputs?: Record<string, string>;
  /** Set only for a workflow that cannot run against a local server; says why. */
  runnable?: { reason: string };
}

/** What the boot-time check needs to know about the endpoints the steps name. */
export interface WorkflowEndpointFacts {
  /** Whether a step calling it takes the workflow's personal access token. */
  takesToken: boolean;
}

/** The Arazzo stepId of a step. */
export function stepId(step: WorkflowStep): string {
  return step.id ?? step.endpoint.replace(/\./g, '_');
}

export function executableSteps(workflow: Workflow): WorkflowStep[] {
  return workflow.steps.filter((s) => !s.optional);
}

/** Whether any executable step takes a token, so the workflow has a generated `token` input. */
export function needsToken(
  workflow: Workflow,
  endpoints: ReadonlyMap<string, WorkflowEndpointFacts>,
): boolean {
  return executableSteps(workflow).some((s) => endpoints.get(s.endpoint)?.takesToken);
}

const STEP_REF = /\$steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;
const INPUT_REF = /\$inputs\.([A-Za-z0-9_-]+)/g;
const ID = /^[A-Za-z0-9_-]+$/;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/**
 * Everything wrong with the workflows' structure, one line each naming the workflow and step
 * (empty when all is well). The registry throws on a non-empty answer at boot.
 */
export function workflowProblems(
  workflows: readonly Workflow[],
  endpoints: ReadonlyMap<string, WorkflowEndpointFacts>,
): string[] {
  const problems: string[] = [];
  const seenWorkflows = new Set<string>();
  // Redocly resolves a workflow output's `$steps.X` across the whole document, so a step a
  // workflow output names must have an id no other workflow uses.
  const stepOwners = new Map<string, Set<string>>();
  for (const w of workflows)
    for (const s of executableSteps(w))
      stepOwners.set(stepId(s), (stepOwners.get(stepId(s)) ?? new Set()).add(w.id));
  for (const w of workflows) {
    const at = (where: string) => `workflow ${w.id}${where}`;
    if (seenWorkflows.has(w.id)) problems.push(`${at('')}: registered twice`);
    seenWorkflows.add(w.id);
    if (!ID.test(w.id)) problems.push(`${at('')}: the id must match ${String(ID)}`);
    const inputs = new Set(Object.keys(w.inputs?.properties ?? {}));
    // Redocly respect compiles inputs with a validator that knows no `format`, and then stops.
    if (JSON.stringify(w.inputs ?? {}).includes('"format"'))
      problems.push(
        `${at('')}: inputs use "format", which runners reject; say it in a description`,
      );
    if (inputs.has('token'))
      problems.push(`${at('')}: the token input is generated, do not declare it`);
    if (needsToken(w, endpoints)) inputs.add('token');
    for (const name of w.inputs?.required ?? [])
      if (!inputs.has(name)) problems.push(`${at('')}: required input "${name}" is not a property`);
    const produced = new Map<string, Set<string>>();
    const checkRefs = (where: string, value: unknown) => {
      for (const text of strings(value)) {
        for (const [, step, output] of text.matchAll(STEP_REF))
          if (!produced.get(step)?.has(output))
            problems.push(
              `${at(where)}: $steps.${step}.outputs.${output} is produced by no earlier step`,
            );
        for (const [, input] of text.matchAll(INPUT_REF))
          if (!inputs.has(input))
            problems.push(`${at(where)}: $inputs.${input} is not in the inputs schema`);
      }
    };
    const executable = executableSteps(w);
    if (executable.length === 0) problems.push(`${at('')}: no executable step`);
    for (const step of w.steps) {
      const id = stepId(step);
      const where = ` step ${id}`;
      if (!endpoints.has(step.endpoint))
        problems.push(`${at(where)}: names the unknown endpoint ${step.endpoint}`);
      if (step.optional) {
        const structured = ['parameters', 'requestBody', 'successCriteria', 'outputs', 'retry'];
        if (structured.some((k) => k in step))
          problems.push(
            `${at(where)}: an optional step is prose only; drop its structure or optional`,
          );
        continue;
      }
      if (!ID.test(id)) problems.push(`${at(where)}: the step id must match ${String(ID)}`);
      if (produced.has(id)) problems.push(`${at(where)}: the step id is used twice`);
      if (!step.successCriteria?.length)
        problems.push(`${at(where)}: has no successCriteria (a prose-only step cannot run)`);
      checkRefs(where, [step.parameters?.map((p) => p.value), step.requestBody?.payload]);
      checkRefs(where, [step.successCriteria, step.callUrl]);
      produced.set(id, new Set());
      checkRefs(where, step.outputs);
      produced.set(id, new Set(Object.keys(step.outputs ?? {})));
    }
    checkRefs(' outputs', w.outputs);
    for (const [, step] of strings(w.outputs).flatMap((t) => [...t.matchAll(STEP_REF)]))
      if ((stepOwners.get(step)?.size ?? 0) > 1)
        problems.push(
          `${at(' outputs')}: names step ${step}, an id other workflows use too; give the step a unique id`,
        );
  }
  return problems;
}

/** Throws naming every problem, so a broken or prose-only workflow stops the boot. */
export function checkWorkflows(
  workflows: readonly Workflow[],
  endpoints: ReadonlyMap<string, WorkflowEndpointFacts>,
): void {
  const problems = workflowProblems(workflows, endpoints);
  if (problems.length)
    throw new Error(`The catalog's workflows are not executable:\n- ${problems.join('\n- ')}`);
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

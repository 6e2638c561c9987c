import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../../common/index.js';
import { returnedRows, RunsService } from '../runs/runs.service.js';
import type { RuleTrigger } from './automation-rule.entity.js';
import { renderPrompt } from './prompt-template.js';

export type FiringResult =
  | { outcome: 'QUEUED'; runId: string }
  | { outcome: 'SKIPPED_COOLDOWN' | 'DISABLED' | 'DUPLICATE'; runId: null };

interface LockedRule {
  id: string;
  post_id: string;
  owner_id: string;
  trigger_type: RuleTrigger;
  enabled: boolean;
  cooldown_seconds: number;
  prompt_template: string;
  workload_profile: string;
  last_fired_at: Date | string | null;
}

/**
 * One place where any trigger fires a rule, inside the caller's transaction: the rule row is
 * locked (concurrent firings of one rule take turns, so the cooldown holds), the firing is
 * inserted under its dedupe key (a second firing with the same key — the same schedule tick from
 * another instance, the same purchase event — does nothing), then a run is queued or the firing
 * is recorded as skipped by the cooldown. A disabled rule does not fire and records nothing.
 */
@Injectable()
export class RuleFiringService {
  constructor(
    private readonly runs: RunsService,
    private readonly clock: Clock,
  ) {}

  async fire(
    manager: EntityManager,
    ruleId: string,
    dedupeKey: string,
    context: Record<string, unknown>,
  ): Promise<FiringResult> {
    const [rule] = await manager.query<LockedRule[]>(
      `SELECT id, post_id, owner_id, trigger_type, enabled, cooldown_seconds, prompt_template,
              workload_profile, last_fired_at
         FROM automation_rules WHERE id = $1 FOR UPDATE`,
      [ruleId],
    );
    if (!rule || !rule.enabled) return { outcome: 'DISABLED', runId: null };
    const now = this.clock.now();
    const lastFired = rule.last_fired_at ? new Date(rule.last_fired_at) : null;
    const cooling =
      lastFired !== null && now.getTime() - lastFired.getTime() < rule.cooldown_seconds * 1000;
    const inserted = returnedRows<{ id: string }>(
      await manager.query(
        `INSERT INTO automation_firings (rule_id, dedupe_key, outcome, fired_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (rule_id, dedupe_key) DO NOTHING
         RETURNING id`,
        [rule.id, dedupeKey, cooling ? 'SKIPPED_COOLDOWN' : 'QUEUED', now.toISOString()],
      ),
    );
    const firing = inserted[0];
    if (!firing) return { outcome: 'DUPLICATE', runId: null };
    if (cooling) return { outcome: 'SKIPPED_COOLDOWN', runId: null };
    const runId = await this.runs.enqueue(manager, {
      postId: rule.post_id,
      ownerId: rule.owner_id,
      triggerType: rule.trigger_type,
      ruleId: rule.id,
      prompt:
        renderPrompt(rule.prompt_template, {
          postId: rule.post_id,
          ruleId: rule.id,
          trigger: rule.trigger_type,
          firedAt: now.toISOString(),
          ...context,
        }) || '(empty prompt)',
      workloadProfile: rule.workload_profile,
    });
    await manager.query('UPDATE automation_firings SET run_id = $2 WHERE id = $1', [
      firing.id,
      runId,
    ]);
    await manager.query('UPDATE automation_rules SET last_fired_at = $2 WHERE id = $1', [
      rule.id,
      now.toISOString(),
    ]);
    return { outcome: 'QUEUED', runId: runId! };
  }
}

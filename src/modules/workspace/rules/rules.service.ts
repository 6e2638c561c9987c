import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  Clock,
  type FieldError,
  type Page,
  pageByCreation,
  ProblemException,
  randomBase62,
  SecretBox,
} from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { WorkspacePosts } from '../workspace-posts.js';
import { AutomationRuleEntity } from './automation-rule.entity.js';
import type {
  CreatedRuleDto,
  CreateRuleDto,
  RuleDto,
  RuleListQueryDto,
  RuleTriggerInputDto,
  UpdateRuleDto,
} from './rules.dto.js';
import { cronProblem, DEFAULT_TIMEZONE, isTimeZone, nextTick } from './schedule.js';
import { TokenResources } from '../../../access/token-resources.js';

/** The sealing context of a rule's inbound secret. */
export const hookSecretContext = (ruleId: string) => `automation-rule-hook:${ruleId}`;

@Injectable()
export class RulesService {
  constructor(
    @InjectRepository(AutomationRuleEntity)
    private readonly rules: Repository<AutomationRuleEntity>,
    private readonly posts: WorkspacePosts,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(callerId: string, input: CreateRuleDto): Promise<CreatedRuleDto> {
    const schedule = this.checkTrigger(input.trigger);
    await this.posts.ownPost(input.postId, callerId);
    const enabled = input.enabled ?? true;
    const rule = this.rules.create({
      postId: input.postId,
      ownerId: callerId,
      triggerType: input.trigger.type,
      cron: schedule?.cron ?? null,
      timezone: schedule?.timezone ?? null,
      enabled,
      cooldownSeconds: input.cooldownSeconds ?? 0,
      promptTemplate: input.promptTemplate,
      workloadProfile: input.workloadProfile ?? 'small',
      hookPathToken: null,
      hookSecretSealed: null,
      nextFireAt:
        schedule && enabled ? nextTick(schedule.cron, schedule.timezone, this.clock.now()) : null,
      lastFiredAt: null,
    });
    let secret: string | null = null;
    await this.rules.manager.transaction(async (manager) => {
      const saved = await manager.save(rule);
      if (rule.triggerType === 'WEBHOOK_EVENT') {
        secret = `whsec_${randomBase62(40)}`;
        rule.hookPathToken = randomBase62(32);
        // Sealed under the rule's id, known only once the row exists.
        await manager.update(AutomationRuleEntity, saved.id, {
          hookPathToken: rule.hookPathToken,
          hookSecretSealed: this.box.seal(secret, hookSecretContext(saved.id)),
        });
      }
    });
    return { ...this.view(await this.rules.findOneByOrFail({ id: rule.id })), hookSecret: secret };
  }

  async list(callerId: string, query: RuleListQueryDto): Promise<Page<RuleDto>> {
    if (query.postId) await this.posts.ownPost(query.postId, callerId);
    const qb = this.rules.createQueryBuilder('r').where('r.owner_id = :callerId', { callerId });
    if (query.postId) qb.andWhere('r.post_id = :postId', { postId: query.postId });
    TokenResources.narrowList(qb, 'r.post_id');
    return pageByCreation(qb, query, (row) => this.view(row));
  }

  async get(callerId: string, ruleId: string): Promise<RuleDto> {
    return this.view(await this.own(callerId, ruleId));
  }

  async update(callerId: string, ruleId: string, input: UpdateRuleDto): Promise<RuleDto> {
    const rule = await this.own(callerId, ruleId);
    if (input.trigger) {
      if (input.trigger.type !== rule.triggerType)
        throw ProblemException.validation([
          { field: 'trigger.type', message: 'cannot change; create a new rule instead' },
        ]);
      const schedule = this.checkTrigger(input.trigger);
      if (schedule) {
        rule.cron = schedule.cron;
        rule.timezone = schedule.timezone;
      }
    }
    if (input.enabled !== undefined) rule.enabled = input.enabled;
    if (input.cooldownSeconds !== undefined) rule.cooldownSeconds = input.cooldownSeconds;
    if (input.promptTemplate !== undefined) rule.promptTemplate = input.promptTemplate;
    if (input.workloadProfile !== undefined) rule.workloadProfile = input.workloadProfile;
    if (rule.triggerType === 'SCHEDULE')
      // Re-armed from now: enabling a paused rule does not fire the ticks it slept through.
      rule.nextFireAt = rule.enabled
        ? nextTick(rule.cron!, rule.timezone!, this.clock.now())
        : null;
    await this.rules.save(rule);
    return this.view(await this.rules.findOneByOrFail({ id: rule.id }));
  }

  async delete(callerId: string, ruleId: string): Promise<void> {
    const rule = await this.own(callerId, ruleId);
    await this.rules.delete({ id: rule.id });
  }

  /** Validates a trigger's fields; returns the normalised schedule for SCHEDULE. */
  private checkTrigger(trigger: RuleTriggerInputDto): { cron: string; timezone: string } | null {
    const errors: FieldError[] = [];
    if (trigger.type !== 'SCHEDULE') {
      if (trigger.cron !== undefined)
        errors.push({ field: 'trigger.cron', message: 'is only for SCHEDULE triggers' });
      if (trigger.timezone !== undefined)
        errors.push({ field: 'trigger.timezone', message: 'is only for SCHEDULE triggers' });
      if (errors.length) throw ProblemException.validation(errors);
      return null;
    }
    const timezone = trigger.timezone?.trim() || DEFAULT_TIMEZONE;
    if (!isTimeZone(timezone))
      errors.push({
        field: 'trigger.timezone',
        message: 'is not an IANA time zone (e.g. Europe/Berlin)',
      });
    const cron = trigger.cron?.trim().split(/\s+/).join(' ');
    if (!cron) errors.push({ field: 'trigger.cron', message: 'is required for SCHEDULE triggers' });
    else if (!errors.length) {
      const problem = cronProblem(cron, timezone);
      if (problem) errors.push({ field: 'trigger.cron', message: problem });
    }
    if (errors.length) throw ProblemException.validation(errors);
    return { cron: cron!, timezone };
  }

  private async own(callerId: string, ruleId: string): Promise<AutomationRuleEntity> {
    const rule = await this.rules.findOneBy({ id: ruleId, ownerId: callerId });
    if (!rule) throw ProblemException.notFound('No such automation rule.');
    TokenResources.assertPost(rule.postId, 'No such automation rule.');
    return rule;
  }

  hookUrl(pathToken: string): string {
    return `${this.config.publicBaseUrl}/api/workspace/automations/hooks/${pathToken}`;
  }

  private view(row: AutomationRuleEntity): RuleDto {
    return {
      id: row.id,
      postId: row.postId,
      trigger: {
        type: row.triggerType,
        cron: row.cron,
        timezone: row.timezone,
        hookUrl: row.hookPathToken ? this.hookUrl(row.hookPathToken) : null,
      },
      enabled: row.enabled,
      cooldownSeconds: row.cooldownSeconds,
      promptTemplate: row.promptTemplate,
      workloadProfile: row.workloadProfile,
      nextFireAt: row.nextFireAt?.toISOString() ?? null,
      lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import ipaddr from 'ipaddr.js';
import { type EntityManager, In, Repository } from 'typeorm';
import {
  Clock,
  type FieldError,
  type Page,
  pageByCreation,
  ProblemException,
  SecretBox,
} from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEventRegistry, DomainEvents } from '../../../events/index.js';
import {
  WebhookDeliveryAttemptEntity,
  WebhookDeliveryEntity,
} from '../deliveries/webhook-delivery.entity.js';
import { WebhookDeliveryWorker } from '../deliveries/webhook-delivery.worker.js';
import { generateSigningSecret, secretContext } from '../webhook-signing.js';
import { WEBHOOK_TEST_EVENT } from '../webhooks.events.js';
import { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
import type {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  DeliveryQueryDto,
  RotatedSecretDto,
  TestSentDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
} from './webhook-endpoints.dto.js';

/** How long the secret before a rotation keeps signing alongside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** An owner's endpoints are few by nature; a cap keeps one account from fanning out without end. */
export const MAX_ENDPOINTS_PER_OWNER = 20;

/**
 * Endpoints, their secrets and their delivery log. Every method takes the owner's id and acts only
 * on their rows: someone else's endpoint is indistinguishable from a missing one (404).
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectRepository(WebhookEndpointEntity)
    private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
    private readonly registry: DomainEventRegistry,
    private readonly events: DomainEvents,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly worker: WebhookDeliveryWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    ownerId: string,
    input: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointDto> {
    const errors = [...this.urlErrors(input.url), ...this.eventErrors(input.events)];
    if (errors.length) throw ProblemException.validation(errors);
    const count = await this.endpoints.countBy({ ownerId });
    if (count >= MAX_ENDPOINTS_PER_OWNER)
      throw ProblemException.conflict(
        `You have ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints, the most allowed; delete one first.`,
      );
    const id = randomUUID();
    const secret = generateSigningSecret();
    await this.endpoints.insert({
      id,
      ownerId,
      url: input.url,
      description: input.description || null,
      events: [...new Set(input.events)],
      enabled: true,
      secretSealed: this.secrets.seal(secret, secretContext(id)),
    });
    return { ...this.view(await this.endpoints.findOneByOrFail({ id })), secret };
  }

  async list(ownerId: string): Promise<WebhookEndpointDto[]> {
    const rows = await this.endpoints.find({
      where: { ownerId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map((row) => this.view(row));
  }

  async get(ownerId: string, id: string): Promise<WebhookEndpointDto> {
    return this.view(await this.own(ownerId, id));
  }

  async update(
    ownerId: string,
    id: string,
    input: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    const errors = [
      ...(input.url !== undefined ? this.urlErrors(input.url) : []),
      ...(input.events !== undefined ? this.eventErrors(input.events) : []),
    ];
    if (errors.length) throw ProblemException.validation(errors);
    const endpoint = await this.own(ownerId, id);
    const changes: Partial<WebhookEndpointEntity> = {};
    if (input.url !== undefined) changes.url = input.url;
    if (input.events !== undefined) changes.events = [...new Set(input.events)];
    if (input.description !== undefined) changes.description = input.description || null;
    if (input.enabled !== undefined) {
      changes.enabled = input.enabled;
      // Re-enabling starts a fresh count towards the three-day limit; the reason is history.
      if (input.enabled && !endpoint.enabled) {
        changes.disabledReason = null;
        changes.failingSince = null;
      }
    }
    if (Object.keys(changes).length) await this.endpoints.update({ id, ownerId }, changes);
    return this.get(ownerId, id);
  }

  /** Permanent: its pending deliveries and its log go with it. */
  async delete(ownerId: string, id: string): Promise<void> {
    const result = await this.endpoints.delete({ id, ownerId });
    if (!result.affected) throw ProblemException.notFound('No such webhook endpoint.');
  }

  /** A new secret, shown once; the current one keeps signing alongside it for 24 hours. */
  async rotateSecret(ownerId: string, id: string): Promise<RotatedSecretDto> {
    return this.endpoints.manager.transaction(async (tx) => {
      const row = await tx
        .getRepository(WebhookEndpointEntity)
        .createQueryBuilder('e')
        .addSelect('e.secretSealed')
        .setLock('pessimistic_write')
        .where('e.id = :id AND e.owner_id = :ownerId', { id, ownerId })
        .getOne();
      if (!row) throw ProblemException.notFound('No such webhook endpoint.');
      const secret = generateSigningSecret();
      const previousSecretExpiresAt = new Date(this.clock.now().getTime() + ROTATION_OVERLAP_MS);
      await tx.update(WebhookEndpointEntity, id, {
        secretSealed: this.secrets.seal(secret, secretContext(id)),
        previousSecretSealed: row.secretSealed,
        previousSecretExpiresAt,
      });
      return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
    });
  }

  /**
   * Records a `webhook.test` event and, in the same transaction, its delivery to this endpoint
   * alone (the fan-out leaves test events to this), so the answer can name the delivery.
   */
  async sendTest(ownerId: string, id: string): Promise<TestSentDto> {
    const endpoint = await this.own(ownerId, id);
    if (!endpoint.enabled)
      throw ProblemException.conflict(
        'This endpoint is disabled; enable it (PATCH enabled: true) before sending a test.',
      );
    const sent = await this.endpoints.manager.transaction(async (tx) => {
      const occurredAt = this.clock.now();
      const data = { endpointId: id, message: 'A test event from GetPaidX.' };
      const eventId = await this.events.record(tx, WEBHOOK_TEST_EVENT, data, {
        recipients: [ownerId],
      });
      const delivery = await queueDelivery(tx, {
        endpointId: id,
        eventId,
        type: WEBHOOK_TEST_EVENT,
        occurredAt,
        data,
        runAt: occurredAt,
      });
      return { eventId, deliveryId: delivery!.id, webhookId: delivery!.webhookId };
    });
    this.worker.nudge();
    return sent;
  }

  async deliveriesOf(
    ownerId: string,
    endpointId: string,
    query: DeliveryQueryDto,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.own(ownerId, endpointId);
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where('d.endpoint_id = :endpointId', { endpointId });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    const page = await pageByCreation(qb, query, (row) => row);
    const attempts = page.items.length
      ? await this.endpoints.manager.find(WebhookDeliveryAttemptEntity, {
          where: { deliveryId: In(page.items.map((d) => d.id)) },
          order: { attemptedAt: 'ASC', id: 'ASC' },
        })
      : [];
    return {
      items: page.items.map((d) => deliveryView(d, attempts)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Sends one delivery again, now, under the same webhook id and body; if that attempt fails the
   * usual retry schedule starts over from it.
   */
  async redeliver(ownerId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    const row = await this.deliveries
      .createQueryBuilder('d')
      .innerJoin(WebhookEndpointEntity, 'e', 'e.id = d.endpoint_id')
      .where('d.id = :deliveryId AND e.owner_id = :ownerId', { deliveryId, ownerId })
      .getOne();
    if (!row) throw ProblemException.notFound('No such webhook delivery.');
    const now = this.clock.now();
    // A fresh three-day window from now, and the first retry delay again. Never while a worker
    // holds it: clearing a live lease could send the same attempt twice at once.
    const requeued = await this.deliveries
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({ status: 'pending', runAt: now, attempts: 0, queuedAt: now })
      .where('id = :id AND (lease_expires_at IS NULL OR lease_expires_at <= :now)', {
        id: row.id,
        now,
      })
      .execute();
    if (!requeued.affected)
      throw ProblemException.conflict(
        'This delivery is being sent right now; look at its log again in a few seconds.',
      );
    this.worker.nudge();
    const updated = await this.deliveries.findOneByOrFail({ id: row.id });
    const attempts = await this.endpoints.manager.find(WebhookDeliveryAttemptEntity, {
      where: { deliveryId: row.id },
      order: { attemptedAt: 'ASC', id: 'ASC' },
    });
    return deliveryView(updated, attempts);
  }

  private async own(ownerId: string, id: string): Promise<WebhookEndpointEntity> {
    const row = await this.endpoints.findOneBy({ id, ownerId });
    if (!row) throw ProblemException.notFound('No such webhook endpoint.');
    return row;
  }

  /**
   * A URL people may register: absolute https (http too with WEBHOOK_ALLOW_PRIVATE_TARGETS), no
   * credentials in it, and not an address literal or name that is plainly private. This is only
   * the early, friendly refusal: the transport checks the resolved address at connect time.
   */
  private urlErrors(raw: string): FieldError[] {
    const refuse = (message: string) => [{ field: 'url', message }];
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refuse('must be an absolute URL');
    }
    const allowPrivate = this.config.webhookAllowPrivateTargets;
    if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
      return refuse(
        allowPrivate ? 'must be an http:// or https:// URL' : 'must be an https:// URL',
      );
    if (url.username || url.password)
      return refuse('must not carry credentials (the signature authenticates each request)');
    if (!allowPrivate && isPrivateHost(url.hostname))
      return refuse(
        'is a loopback, private, link-local or reserved address; webhooks are delivered only to public addresses',
      );
    return [];
  }

  private eventErrors(types: string[]): FieldError[] {
    const known = new Set(this.registry.list().map((d) => d.type));
    return types.flatMap((type, i) =>
      known.has(type)
        ? []
        : [
            {
              field: `events[${i}]`,
              message: `is not an event type (see webhookEvents in the catalog)`,
            },
          ],
    );
  }

  private view(row: WebhookEndpointEntity): WebhookEndpointDto {
    const now = this.clock.now();
    const overlap =
      row.previousSecretExpiresAt && row.previousSecretExpiresAt > now
        ? row.previousSecretExpiresAt.toISOString()
        : null;
    return {
      id: row.id,
      url: row.url,
      description: row.description,
      events: row.events,
      enabled: row.enabled,
      disabledReason: row.disabledReason,
      lastError: row.lastError,
      lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
      lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
      previousSecretExpiresAt: overlap,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

/** `localhost` and names under it, and IP literals outside the public unicast range. */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!ipaddr.isValid(host)) return false;
  const address = ipaddr.process(host);
  return address.range() !== 'unicast';
}

/**
 * Inserts the delivery of one event to one endpoint (idempotent: an existing one is kept) and
 * returns it. The body and webhook id are fixed here, for every attempt to come.
 */
export async function queueDelivery(
  tx: EntityManager,
  input: {
    endpointId: string;
    eventId: string;
    type: string;
    occurredAt: Date;
    data: Record<string, unknown>;
    runAt: Date;
  },
): Promise<{ id: string; webhookId: string } | undefined> {
  const body = deliveryBody(input);
  const rows: { id: string; webhook_id: string }[] = await tx.query(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, webhook_id, body, status, run_at, queued_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)
     ON CONFLICT ON CONSTRAINT webhook_deliveries_event_endpoint_key DO NOTHING
     RETURNING id, webhook_id`,
    [input.endpointId, input.eventId, input.type, webhookIdFor(input.eventId), body, input.runAt],
  );
  return rows[0] ? { id: rows[0].id, webhookId: rows[0].webhook_id } : undefined;
}

/** The exact JSON every attempt of an event's deliveries sends (and signs). */
export function deliveryBody(event: {
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: event.data,
  });
}

/**
 * The `webhook-id` of an event's deliveries: derived from the event, so it is the same on every
 * retry (and a receiver of several of your endpoints can tell one event from two).
 */
export function webhookIdFor(eventId: string): string {
  return `msg_${eventId.replace(/-/g, '')}`;
}

function deliveryView(
  row: WebhookDeliveryEntity,
  attempts: WebhookDeliveryAttemptEntity[],
): WebhookDeliveryDto {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    webhookId: row.webhookId,
    status: row.status,
    nextRetryAt: row.status === 'pending' ? row.runAt.toISOString() : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    attempts: attempts
      .filter((a) => a.deliveryId === row.id)
      .map((a) => ({
        attemptedAt: a.attemptedAt.toISOString(),
        responseStatus: a.responseStatus,
        latencyMs: a.latencyMs,
        errorClass: a.errorClass,
        error: a.error,
        responseBody: a.responseBody,
      })),
    createdAt: row.createdAt.toISOString(),
  };
}

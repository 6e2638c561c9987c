import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { DomainEvents, type RecordedDomainEvent } from '../../../events/index.js';
import { NotificationPreferences } from '../notifications/notification-preferences.js';
import { MAIL_EVENT_TYPES, MAIL_KINDS } from './mail-templates.js';
import { MailSender } from './mail-sender.js';

export const MAIL_CONSUMER = 'mail';

/**
 * Turns domain events into queued mail. Subscribed to the event types that have a template; the
 * relay runs `enqueue` in its own transaction, exactly once per committed event, so the outbox
 * row exists exactly when the event does (and `dedupe_key` makes even a repeat harmless).
 * Notification settings are read in that same transaction, when the event is handled.
 */
@Injectable()
export class MailQueue implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly preferences: NotificationPreferences,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(
      MAIL_CONSUMER,
      MAIL_EVENT_TYPES,
      (event, manager) => this.enqueue(event, manager),
      // Send now rather than at the sender's next poll.
      { afterCommit: () => this.sender.nudge() },
    );
  }

  /** One outbox row per recipient who may get this kind of mail. */
  async enqueue(event: RecordedDomainEvent, manager: EntityManager): Promise<void> {
    const kind = MAIL_KINDS[event.type];
    if (!kind) return;
    for (const userId of event.recipients) {
      if (kind.category !== 'security') {
        const allowed = await this.preferences.mayNotify(userId, kind.category, manager);
        if (!allowed) continue;
      }
      const [user] = await manager.query<{ email: string; display_name: string }[]>(
        'SELECT email, display_name FROM users WHERE id = $1',
        [userId],
      );
      if (!user) continue; // the account is gone: no one to write to
      const mail = kind.render(event.data, {
        displayName: user.display_name,
        publicBaseUrl: this.config.publicBaseUrl,
      });
      await manager.query(
        `INSERT INTO mail_outbox (dedupe_key, user_id, to_address, kind, subject, text, html, run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dedupe_key) DO NOTHING`,
        [
          `${event.id}:${userId}`,
          userId,
          user.email,
          event.type,
          mail.subject,
          mail.text,
          mail.html,
          this.clock.now().toISOString(),
        ],
      );
    }
  }
}

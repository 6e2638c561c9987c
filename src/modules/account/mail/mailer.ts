import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../../../config/index.js';

/** One message, already rendered. */
export interface OutgoingMail {
  /** Stable per queued message (`<mail-{id}@getpaidx>`), so a resend after a crash can be deduplicated by the receiving side. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Where email goes. The one outside-service interface for mail: nodemailer behind it, an SMTP
 * relay when `SMTP_URL` is set, `.eml` files under `DATA_DIR/mail/` otherwise.
 */
export abstract class Mailer {
  /** Resolves once the message is handed over (accepted by the relay, or written); throws otherwise. */
  abstract send(mail: OutgoingMail): Promise<void>;
  abstract close(): void;
}

/** A slow or silent relay must fail the attempt (it is retried), not hold the sender forever. */
const SMTP_TIMEOUT_MS = 30_000;

/** Sends through the SMTP relay in `SMTP_URL` (nodemailer's SMTP transport; a connection per message, which is plenty for account mail). */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    // The URL's own query options (e.g. `?ignoreTLS=true`) are read by nodemailer.
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({ ...mail, from: this.from });
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * No relay configured (local development): each message becomes an RFC 822 file in `dir`,
 * named after its Message-ID so a resend overwrites rather than duplicates. Any mail client
 * opens them.
 */
export class EmlFileMailer extends Mailer {
  private readonly transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {
    super();
    mkdirSync(dir, { recursive: true });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transport.sendMail({ ...mail, from: this.from });
    const name = mail.messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_');
    const file = join(this.dir, `${name}.eml`);
    // Written aside and renamed, so a reader never opens half a message.
    await writeFile(`${file}.partial`, info.message as Buffer, { mode: 0o600 });
    await rename(`${file}.partial`, file);
  }

  close(): void {
    this.transport.close();
  }
}

export function createMailer(config: MailConfig, dataDir: string): Mailer {
  return config.smtpUrl
    ? new SmtpMailer(config.smtpUrl, config.from)
    : new EmlFileMailer(join(dataDir, 'mail'), config.from);
}

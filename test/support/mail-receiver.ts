import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on loopback (smtp-server) that parses what arrives (mailparser), for tests
 * that prove mail is sent: point the app's SMTP_URL at `url`.
 */
export class MailReceiver {
  readonly received: ParsedMail[] = [];
  /** Refuse this many next messages with a 451 (a relay's temporary failure). */
  failNext = 0;
  private server: SMTPServer | undefined;
  private port = 0;

  async start(): Promise<this> {
    const server = new SMTPServer({
      // Plain SMTP on loopback: no TLS to negotiate, no login.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          stream.resume();
          stream.on('end', () =>
            callback(Object.assign(new Error('try again later'), { responseCode: 451 })),
          );
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            this.received.push(mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages to one address. */
  to(address: string): ParsedMail[] {
    return this.received.filter((mail) =>
      [mail.to]
        .flat()
        .some((to) => to?.value.some((a) => a.address?.toLowerCase() === address.toLowerCase())),
    );
  }

  /** Waits until `predicate` holds (mail arrives asynchronously), or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for mail');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(resolve) : resolve()));
  }
}

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import pg from 'pg';
import { DATABASE_TARGET, type DatabaseTarget } from '../../../database/index.js';
import { TOKEN_REVOKED_CHANNEL, TokensService } from './tokens.service.js';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Makes a revoke take effect at once on every instance, not only the one that served it: each
 * instance LISTENs on one dedicated connection and evicts the revoked token from its
 * verified-token cache when the revoke's NOTIFY arrives. Whenever that connection is (re)made,
 * the cache is cleared, because notices sent while it was down are lost; until it is back, the
 * cache's 10 s lifetime bounds how long a revoked token can still pass.
 *
 * The embedded database serves exactly one process, so there is nobody to tell.
 */
@Injectable()
export class TokenRevocationListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TokenRevocations');
  private client: pg.Client | undefined;
  private stopping = false;
  private retryDelay = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tokens: TokensService,
    @Inject(DATABASE_TARGET) private readonly database: DatabaseTarget,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.database.embedded) return;
    // Not fatal: without notices the cache lifetime still bounds a revoke's delay elsewhere.
    await this.connect().catch((err: unknown) => {
      this.logger.warn({ err }, 'revocation listener could not connect; retrying');
      this.scheduleReconnect();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => {});
  }

  /** True while revocation notices are being received (for tests and diagnostics). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.database.url,
      application_name: 'gpx-token-revocations',
    });
    client.on('notification', (message) => {
      if (message.channel === TOKEN_REVOKED_CHANNEL && message.payload)
        this.tokens.evictVerified(message.payload);
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'revocation listener connection failed; reconnecting');
    });
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
      if (!this.stopping) this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    this.retryDelay = RECONNECT_MIN_MS;
    // Anything revoked while we were not listening may still sit in the cache.
    this.tokens.forgetVerified();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((err: unknown) => {
        if (this.stopping) return;
        this.logger.warn({ err }, 'revocation listener could not reconnect; retrying');
        this.retryDelay = Math.min(this.retryDelay * 2, RECONNECT_MAX_MS);
        this.scheduleReconnect();
      });
    }, this.retryDelay);
    this.retryTimer.unref();
  }
}

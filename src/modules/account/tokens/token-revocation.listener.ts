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
/** A connection must stay up this long before the reconnect backoff starts over. */
const STABLE_AFTER_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

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
  private stableTimer: NodeJS.Timeout | undefined;

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
    clearTimeout(this.stableTimer);
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
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A half-open connection would look like listening while notices are lost.
      keepAlive: true,
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
      clearTimeout(this.stableTimer);
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
    if (this.stopping) {
      // Shutdown began while this connection was being made.
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // Back off from the start again only once the connection proves stable, so a server that
    // drops idle sessions does not cause a reconnect (and a cache flush) every quarter second.
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.retryDelay = RECONNECT_MIN_MS), STABLE_AFTER_MS);
    this.stableTimer.unref();
    // Anything revoked while we were not listening may still sit in the cache.
    this.tokens.forgetVerified();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((err: unknown) => {
        if (this.stopping) return;
        this.logger.warn({ err }, 'revocation listener could not reconnect; retrying');
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}

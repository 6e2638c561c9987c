import { createHmac } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthenticatedRequest } from '../../../access/principal.js';
import { WebhookVerifierRegistry } from '../../../access/webhook-verifiers.js';
import { Clock, constantTimeEqual, SecretBox } from '../../../common/index.js';
import { returnedRows } from '../runs/runs.service.js';
import type { HookAcceptedDto } from './rules.dto.js';
import { RuleFiringService } from './rule-firing.service.js';
import { hookSecretContext } from './rules.service.js';

export const HOOK_VERIFIER = 'workspace-automation-hook';
export const SECRET_HEADER = 'x-gpx-webhook-secret';
export const SIGNATURE_HEADER = 'x-gpx-signature';
/** How far the signed timestamp may be from now, either way. */
export const HOOK_TOLERANCE_SECONDS = 300;

const SIGNATURE = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

/**
 * Inbound automation hooks (`POST /api/workspace/automations/hooks/{pathToken}`). The verifier
 * runs in the access guard, before any handler: the path token names a WEBHOOK_EVENT rule, the
 * secret header must equal the rule's secret, `X-GPX-Signature: t=<unix>,v1=<hex>` must be the
 * HMAC-SHA256 of `<t>.<raw body>` under that secret with `t` within 5 minutes of now, and the
 * signature must not have been accepted before (it is remembered past the tolerance). Anything
 * else is 401 invalid_signature and nothing is written — except that an accepted signature is
 * stored, which is what refuses its replay.
 */
@Injectable()
export class InboundHooksService implements OnModuleInit {
  constructor(
    private readonly verifiers: WebhookVerifierRegistry,
    private readonly db: DataSource,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly firing: RuleFiringService,
  ) {}

  onModuleInit(): void {
    this.verifiers.register(HOOK_VERIFIER, (req) => this.verify(req));
  }

  async verify(req: AuthenticatedRequest): Promise<boolean> {
    const pathToken = req.params?.pathToken;
    const secret = req.headers[SECRET_HEADER];
    const signature = SIGNATURE.exec(String(req.headers[SIGNATURE_HEADER] ?? ''));
    if (typeof pathToken !== 'string' || typeof secret !== 'string' || !signature) return false;
    const [rule] = await this.db.query<{ id: string; hook_secret_sealed: string }[]>(
      `SELECT id, hook_secret_sealed FROM automation_rules
        WHERE hook_path_token = $1 AND trigger_type = 'WEBHOOK_EVENT'`,
      [pathToken],
    );
    if (!rule?.hook_secret_sealed) return false;
    let expected: string;
    try {
      expected = this.box.open(rule.hook_secret_sealed, hookSecretContext(rule.id));
    } catch {
      return false; // sealed under another SECRETS_KEY: the secret cannot match anything
    }
    if (!constantTimeEqual(secret, expected)) return false;
    const [, t, v1] = signature;
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (Math.abs(nowSeconds - Number(t)) > HOOK_TOLERANCE_SECONDS) return false;
    const body = req.rawBody ?? Buffer.alloc(0);
    const hmac = createHmac('sha256', expected).update(`${t}.`).update(body).digest('hex');
    if (!constantTimeEqual(v1, hmac)) return false;
    const remembered = returnedRows(
      await this.db.query(
        `INSERT INTO automation_hook_signatures (rule_id, signature, expires_at)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING rule_id`,
        [rule.id, v1, new Date((Number(t) + 2 * HOOK_TOLERANCE_SECONDS) * 1000).toISOString()],
      ),
    );
    return remembered.length === 1;
  }

  /** The verified call: fires the rule once for this signature, with the body as `payload`. */
  async accept(
    pathToken: string,
    signatureHeader: string,
    payload: unknown,
  ): Promise<HookAcceptedDto> {
    const v1 = SIGNATURE.exec(signatureHeader)![2];
    return this.db.transaction(async (manager) => {
      const [rule] = await manager.query<({ id: string } | undefined)[]>(
        'SELECT id FROM automation_rules WHERE hook_path_token = $1',
        [pathToken],
      );
      // Deleted since the verifier saw it: nothing to fire, like a paused rule.
      if (!rule) return { outcome: 'DISABLED', runId: null };
      const result = await this.firing.fire(manager, rule.id, `hook:${v1}`, { payload });
      // DUPLICATE cannot happen: the verifier refused a repeated signature before this ran.
      return {
        outcome: result.outcome === 'DUPLICATE' ? 'DISABLED' : result.outcome,
        runId: result.runId,
      };
    });
  }

  /** Forgets signatures past their tolerance (housekeeping). */
  async sweep(): Promise<number> {
    const rows = returnedRows(
      await this.db.query(
        'DELETE FROM automation_hook_signatures WHERE expires_at < $1 RETURNING rule_id',
        [this.clock.now().toISOString()],
      ),
    );
    return rows.length;
  }
}

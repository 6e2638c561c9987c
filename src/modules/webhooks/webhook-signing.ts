import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64 (what receivers expect). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The SecretBox context of an endpoint's secrets: a sealed secret opens only on its own row. */
export function secretContext(endpointId: string): string {
  return `webhook-endpoint:${endpointId}`;
}

/**
 * The `webhook-signature` header: one `v1,<base64 HMAC-SHA256>` per live secret, space-separated
 * (the Standard Webhooks form), so during a rotation's overlap either secret verifies.
 */
export function signatureHeader(
  secrets: readonly string[],
  webhookId: string,
  timestamp: Date,
  body: string,
): string {
  return secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(' ');
}

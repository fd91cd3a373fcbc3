import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signing, as receivers verify it (docs/events.md): the signature is
 * `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>` over the exact request body, and a
 * receiver refuses timestamps older than a few minutes so a captured request cannot be replayed.
 */
export const WebhookHeader = {
  signature: 'x-rahat-signature',
  timestamp: 'x-rahat-timestamp',
  eventId: 'x-rahat-event-id',
  eventType: 'x-rahat-event-type',
  deliveryId: 'x-rahat-delivery-id',
} as const;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhookSignature(opts: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds?: number;
  nowMs?: number;
}): boolean {
  const { secret, body, timestamp, signature } = opts;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

import { isAddressRefused, isBreakerOpen } from '../common/http/errors';
import type { ServiceClient } from '../common/http/service-client';
import { signWebhook, WebhookHeader } from './webhooks-signature';

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
}

/**
 * One signed POST through the webhook's service client (common/http). Any 2xx is success;
 * anything else, a redirect (never followed, so a webhook cannot bounce the relay to another
 * host), a timeout, a refused connection or an address the outbound policy refuses is a
 * failure to retry later. The response body is not read. An open breaker is thrown
 * (`ECIRCUITOPEN`): nothing was sent, so it is no attempt.
 */
export async function postSignedEvent(opts: {
  client: ServiceClient;
  url: string;
  body: string;
  secret: string;
  eventId: string;
  eventType: string;
  deliveryId: string;
}): Promise<AttemptResult> {
  const timestamp = Math.floor(Date.now() / 1000).toString();
  try {
    const res = await opts.client.request(opts.url, {
      method: 'POST',
      body: opts.body,
      discardBody: true,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'rahat-temporal-webhooks/1',
        [WebhookHeader.eventId]: opts.eventId,
        [WebhookHeader.eventType]: opts.eventType,
        [WebhookHeader.deliveryId]: opts.deliveryId,
        [WebhookHeader.timestamp]: timestamp,
        [WebhookHeader.signature]: signWebhook(opts.secret, timestamp, opts.body),
      },
    });
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    if (isBreakerOpen(err)) throw err;
    const message = isAddressRefused(err) ? `refused: ${err.message}` : ((err as { code?: string }).code ?? (err as Error).message);
    return { ok: false, error: message.slice(0, 500) };
  }
}

/** Delay before attempt `attempts + 1`: doubling from `initialMs`, at most an hour, plus up to 10 % jitter. */
export function retryDelayMs(attempts: number, initialMs: number, random: () => number = Math.random): number {
  const base = Math.min(initialMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (1 + 0.1 * random()));
}

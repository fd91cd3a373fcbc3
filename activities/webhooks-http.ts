import { signWebhook, WebhookHeader } from './webhooks-signature';

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
}

/**
 * One signed POST. Any 2xx is success; anything else, a redirect (not followed, so a webhook
 * cannot bounce the relay to another host), a timeout or a refused connection is a failure to
 * retry later. The response body is not read.
 */
export async function postSignedEvent(opts: {
  url: string;
  body: string;
  secret: string;
  eventId: string;
  eventType: string;
  deliveryId: string;
  timeoutMs: number;
  fetch: typeof fetch;
}): Promise<AttemptResult> {
  const timestamp = Math.floor(Date.now() / 1000).toString();
  try {
    const res = await opts.fetch(opts.url, {
      method: 'POST',
      redirect: 'manual',
      body: opts.body,
      signal: AbortSignal.timeout(opts.timeoutMs),
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
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status };
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: (cause?.code ?? cause?.message ?? (err as Error).message).slice(0, 500) };
  }
}

/** Delay before attempt `attempts + 1`: doubling from `initialMs`, at most an hour, plus up to 10 % jitter. */
export function retryDelayMs(attempts: number, initialMs: number, random: () => number = Math.random): number {
  const base = Math.min(initialMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (1 + 0.1 * random()));
}

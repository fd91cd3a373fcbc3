import { ErrorType } from '../common/errors';
import { isAddressRefused, isBreakerOpen } from '../common/http/errors';
import type { ServiceClient } from '../common/http/service-client';
import { permanent, waitForService } from './failures';
import type { RawRecord } from './import-parsers';

export interface PartnerRegistry {
  url: string;
  token?: string;
}

export interface PartnerPage {
  items: unknown[];
  /** The next page: an absolute URL on the same origin, or null at the end. */
  next: string | null;
}

/** Per page: 30 s, two quick retries inside the attempt (GET is idempotent); Temporal retries the rest. */
export const PARTNER_CLIENT = {
  timeoutMs: 30_000,
  retries: 2,
  backoff: { initialMs: 500, maxMs: 4000 },
  maxResponseBytes: 64 * 1024 * 1024,
};

/**
 * Pulls beneficiaries from a partner registry (e.g. the UNICEF feed of the EL project) page
 * by page: GET <url> → {"items": [...], "next": url | null}, through the registry's service
 * client (common/http: timeout, retries, breaker, address policy). One page is in memory at a
 * time. Pages are followed only on the configured origin, so a feed cannot point the engine
 * at other hosts. `from` resumes after a crash at the page a heartbeat recorded.
 */
export async function* partnerRecords(
  registry: PartnerRegistry,
  client: ServiceClient,
  from: { url?: string; rowNumber: number } = { rowNumber: 0 },
  onPage: (position: { url: string | null; rowNumber: number }) => void = () => {},
): AsyncGenerator<RawRecord> {
  const origin = new URL(registry.url).origin;
  let url: string | null = from.url ?? registry.url;
  let rowNumber = from.rowNumber;
  while (url) {
    const page = await fetchPage(client, url, registry.token);
    for (const item of page.items) {
      rowNumber += 1;
      yield item !== null && typeof item === 'object' && !Array.isArray(item)
        ? { rowNumber, fields: Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null)) }
        : { rowNumber, fields: {}, error: 'must be a JSON object' };
    }
    const next: string | null = page.next ? new URL(page.next, url).toString() : null;
    if (next && new URL(next).origin !== origin) throw permanent(ErrorType.ImportRejected, `partner feed points outside ${origin}`);
    url = next;
    onPage({ url, rowNumber });
  }
}

async function fetchPage(client: ServiceClient, url: string, token: string | undefined): Promise<PartnerPage> {
  let res;
  try {
    res = await client.request(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  } catch (err) {
    // An open breaker: the pull waits (Temporal retries after the breaker's reset) instead of storming the registry.
    if (isBreakerOpen(err)) throw waitForService(err);
    if (isAddressRefused(err)) throw permanent(ErrorType.ImportRejected, `partner registry refused: ${err.message}`, err);
    throw err;
  }
  const problem = `partner feed answered HTTP ${res.status} for ${new URL(url).pathname}`;
  // A refusal (bad token, unknown path) or a redirect (never followed) will not heal by retrying; an outage might.
  if (res.status >= 300 && res.status < 500 && res.status !== 429) throw permanent(ErrorType.ImportRejected, problem);
  if (res.status < 200 || res.status >= 300) throw new Error(problem);
  let body: Partial<PartnerPage>;
  try {
    body = res.json() as Partial<PartnerPage>;
  } catch {
    throw new Error(`partner feed page is not JSON (${new URL(url).pathname})`);
  }
  if (!Array.isArray(body?.items)) throw permanent(ErrorType.ImportRejected, 'partner feed page has no items array');
  return { items: body.items, next: typeof body.next === 'string' ? body.next : null };
}

import { ErrorType } from '../common/errors';
import { permanent } from './failures';
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

/**
 * Pulls beneficiaries from a partner registry (e.g. the UNICEF feed of the EL project) page
 * by page: GET <url> → {"items": [...], "next": url | null}. One page is in memory at a time.
 * Pages are followed only on the configured origin, so a feed cannot point the engine at
 * internal hosts. `from` resumes after a crash at the page a heartbeat recorded.
 */
export async function* partnerRecords(
  registry: PartnerRegistry,
  from: { url?: string; rowNumber: number } = { rowNumber: 0 },
  onPage: (position: { url: string | null; rowNumber: number }) => void = () => {},
): AsyncGenerator<RawRecord> {
  const origin = new URL(registry.url).origin;
  let url: string | null = from.url ?? registry.url;
  let rowNumber = from.rowNumber;
  while (url) {
    const page = await fetchPage(url, registry.token);
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

async function fetchPage(url: string, token: string | undefined): Promise<PartnerPage> {
  const res = await fetch(url, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(30_000),
    redirect: 'error',
  });
  const problem = `partner feed answered HTTP ${res.status} for ${new URL(url).pathname}`;
  // A refusal (bad token, unknown path) will not heal by retrying; an outage might.
  if (res.status >= 400 && res.status < 500 && res.status !== 429) throw permanent(ErrorType.ImportRejected, problem);
  if (!res.ok) throw new Error(problem);
  const body = (await res.json()) as Partial<PartnerPage>;
  if (!Array.isArray(body.items)) throw permanent(ErrorType.ImportRejected, 'partner feed page has no items array');
  return { items: body.items, next: typeof body.next === 'string' ? body.next : null };
}

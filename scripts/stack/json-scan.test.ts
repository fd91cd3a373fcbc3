import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JsonScanner, scanJsonFile } from './json-scan';

/** Scans `text` fed in chunks of `size` bytes, so every state is also met across a chunk edge. */
const scan = (text: string, size = text.length || 1) => {
  const bytes = Buffer.from(text, 'latin1');
  const s = new JsonScanner();
  for (let i = 0; i < bytes.length; i += size) if (!s.feed(bytes.subarray(i, i + size))) break;
  return s.end();
};
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

// A small deterministic generator, so a failure names a reproducible case.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}
function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 4 : 6));
  if (k === 0) return Math.floor(r() * 1e6) * (r() < 0.5 ? -1 : 1) * (r() < 0.3 ? 1.5e-3 : 1);
  if (k === 1) return ['', 'a"b', 'x\\y', '\n\t', 'é', '\u0001', '0xabcdef'][Math.floor(r() * 7)];
  if (k === 2) return [true, false, null][Math.floor(r() * 3)];
  if (k === 3) return Math.floor(r() * 100);
  if (k === 4) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]));
}
const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('JSON scanner', () => {
  it('When a document is complete, Then it passes and the top-level keys come with their kinds', () => {
    const r = scan(' {"block":{"number":"0x1"},"accounts":{},"best_block_number":1,"blocks":[],"x":null,"t":true,"e":-1.5e+3} \n', 3);

    expect(r.ok && [...r.keys]).toEqual([
      ['block', 'object'],
      ['accounts', 'object'],
      ['best_block_number', 'number'],
      ['blocks', 'array'],
      ['x', 'null'],
      ['t', 'boolean'],
      ['e', 'number'],
    ]);
  });

  it('When a document is cut anywhere, Then every proper prefix fails', () => {
    const text = JSON.stringify({ block: { n: '0x1', a: [1, 2.5, -3e2, true, null] }, accounts: { '0xab': { code: 'a\\"b' } }, z: 0 });
    for (let cut = 0; cut < text.length; cut++) expect([cut, scan(text.slice(0, cut)).ok]).toEqual([cut, false]);
    expect(scan(text).ok).toBe(true);
  });

  it("When random documents and one-byte corruptions of them are scanned, Then the verdict is JSON.parse's", () => {
    const r = rng(7);
    const alphabet = '{}[]:,"\\ 0123456789-+.eEtrufalsn\x00\x1fx';
    for (let n = 0; n < 2000; n++) {
      const text = ascii(JSON.stringify(randomValue(r)) ?? 'null');
      expect([text, scan(text, 1 + (n % 5)).ok]).toEqual([text, true]);
      const at = Math.floor(r() * (text.length + 1));
      const bad = text.slice(0, at) + alphabet[Math.floor(r() * alphabet.length)] + text.slice(at + (r() < 0.5 ? 1 : 0));
      expect([bad, scan(bad, 1 + (n % 3)).ok]).toEqual([bad, parses(bad)]);
    }
  });

  it('When numbers, literals and escapes are malformed, Then the scan fails like JSON.parse', () => {
    for (const bad of ['01', '-', '1.', '1e', '1e+', '.5', 'tru', 'nul', '"\\x"', '"\\u12G4"', '"a\tb"', '[1,]', '{"a":1,}', '{"a" 1}', '[1 2]', '{} {}', '']) {
      expect([bad, scan(bad).ok]).toEqual([bad, false]);
    }
    for (const good of ['0', '-0.5e-7', '1E9', '"\\u00e9\\n"', '[[],{}]', ' true ']) expect([good, scan(good).ok]).toEqual([good, true]);
  });

  it('When a file is scanned, Then its bytes are read in chunks and judged as a whole', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'json-scan-'));
    try {
      const file = path.join(dir, 'big.json');
      // Longer than one 4 MiB read, with a string across the chunk edge.
      writeFileSync(file, JSON.stringify({ accounts: { a: 'ab'.repeat(3 << 20) }, blocks: [1] }));
      expect(await scanJsonFile(file)).toMatchObject({ ok: true, kind: 'object' });
      writeFileSync(file, JSON.stringify({ accounts: { a: 'ab'.repeat(3 << 20) } }).slice(0, -2));
      expect(await scanJsonFile(file)).toMatchObject({ ok: false, reason: expect.stringMatching(/ends before/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

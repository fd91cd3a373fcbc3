import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhooks-signature';

const SECRET = 'whsec_test';
const BODY = JSON.stringify({ id: 'e1', type: 'beneficiary.created' });
const NOW_MS = 1_800_000_000_000;
const TS = String(NOW_MS / 1000);

describe('webhook signatures', () => {
  it('When signed, Then it is sha256= and the HMAC-SHA256 of "timestamp.body" under the secret', () => {
    const expected = createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');

    expect(signWebhook(SECRET, TS, BODY)).toBe(`sha256=${expected}`);
  });

  it('When the receiver verifies an untouched request, Then it is accepted', () => {
    const signature = signWebhook(SECRET, TS, BODY);

    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, timestamp: TS, signature, nowMs: NOW_MS })).toBe(true);
  });

  it.each([
    ['the body was tampered with', { body: BODY.replace('e1', 'e2') }],
    ['the timestamp was changed', { timestamp: String(Number(TS) + 1) }],
    ['another secret is used', { secret: 'whsec_other' }],
    ['the signature is missing', { signature: undefined }],
    ['the timestamp is older than the tolerance', { nowMs: NOW_MS + 301_000 }],
  ])('When %s, Then verification fails', (_, change) => {
    const signature = signWebhook(SECRET, TS, BODY);

    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, timestamp: TS, signature, nowMs: NOW_MS, ...change })).toBe(false);
  });
});

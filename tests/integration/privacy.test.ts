import { Writable } from 'node:stream';
import pino from 'pino';
import { deriveOwnerKey } from '../../activities/wallet-derivation';
import { ENCRYPTED_ENCODING } from '../../common/payload-codec';
import { workflowIds } from '../../common/workflow-ids';
import { databaseAsText, historyBytes, rawHistory } from '../support/privacy-scan';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * The privacy promises, checked where an attacker would look: a dump of the
 * database, the logs, and Temporal's stored history. Personal data and keys must appear in
 * none of them in clear.
 */

const PROJECT = 'privacy';
const PEOPLE = [
  { externalId: 'priv-1', name: 'Maya Gurung', phone: '+9779851000101', email: 'maya.gurung@example.org', nationalId: 'NP-7781-0101' },
  { externalId: 'priv-2', name: 'Bishnu Thapa', phone: '+9779851000102', email: 'bishnu.thapa@example.org', nationalId: 'NP-7781-0102' },
  { externalId: 'priv-3', name: 'Kamala Rai', phone: '+9779851000103', email: 'kamala.rai@example.org', nationalId: 'NP-7781-0103' },
];
const SECRETS = PEOPLE.flatMap((p) => [p.name, p.phone, p.phone.slice(4), p.email, p.nationalId]);

let sys: System;
let logs = '';
let single: { id: string };
let importId: string;

beforeAll(async () => {
  // Everything the API and worker log, at debug level, kept for the scan.
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
  sys = await startSystem({}, { logger: pino({ level: 'debug' }, sink) });
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Privacy' })).status).toBe(201);
  const started = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, ...PEOPLE[0] });
  single = await eventually(
    async () => (await call(sys.api.url, 'GET', started.body.links.self)).body,
    (b) => b.status === 'ACTIVE',
    60_000,
  );
  const csv = [
    'externalId,name,phone,email,nationalId',
    ...PEOPLE.slice(1).map((p) => `${p.externalId},${p.name},${p.phone},${p.email},${p.nationalId}`),
  ].join('\n');
  const upload = await call(sys.api.url, 'POST', `/v1/imports?projectId=${PROJECT}`, csv, { headers: { 'content-type': 'text/csv' } });
  expect(upload.status).toBe(202);
  importId = upload.body.id;
  await eventually(
    async () => (await call(sys.api.url, 'GET', `/v1/imports/${importId}`)).body,
    (b) => b.status === 'COMPLETED',
    90_000,
  );
}, 180_000);

afterAll(async () => {
  await sys?.stop();
});

/** Owner keys of every beneficiary of the project, as an attacker would hope to find them. */
async function ownerKeys(): Promise<string[]> {
  const ids = (await sys.prisma.beneficiary.findMany({ where: { projectId: PROJECT }, select: { id: true } })).map((b) => b.id);
  expect(ids).toHaveLength(3);
  return ids.map((id) => Buffer.from(deriveOwnerKey(sys.config.walletMasterSecret, id)).toString('hex'));
}

const configuredSecrets = () => [
  sys.config.walletMasterSecret,
  sys.config.idDerivationKey,
  ...Object.values(sys.config.pii.encryptionKeys),
  sys.config.pii.blindIndexKey,
];

describe('privacy at rest', () => {
  it('When every table is read raw, Then no name, phone, email or national id appears, and the personal data rows hold ciphertext with a key id', async () => {
    const dump = await databaseAsText(sys.config.databaseUrl);

    for (const value of SECRETS) expect(dump).not.toContain(value);
    const personal = await sys.prisma.beneficiaryPersonal.findMany({ where: { projectId: PROJECT } });
    expect(personal).toHaveLength(3);
    for (const p of personal) expect(p.ciphertext).toMatch(new RegExp(`^${sys.config.pii.activeKeyId}:[A-Za-z0-9+/]+=*$`));
    // Staging keeps nothing personal once enrolled.
    expect(await sys.prisma.importRow.count({ where: { importId, personal: { not: null } } })).toBe(0);
  });

  it('When the database and the logs are scanned for key material, Then no owner private key, master secret or encryption key is found', async () => {
    const keys = await ownerKeys();
    const dump = await databaseAsText(sys.config.databaseUrl);

    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [...keys, ...configuredSecrets()]) {
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    for (const value of SECRETS) expect(logs).not.toContain(value);
  });
});

describe('privacy in Temporal', () => {
  it('When the raw history of the registration and import workflows is read from the server, Then it holds no personal data or key, and every input is encrypted', async () => {
    const keys = await ownerKeys();
    for (const workflowId of [workflowIds.registration(single.id), workflowIds.beneficiaryImport(importId)]) {
      const events = await rawHistory(sys.config.temporal.address, sys.config.temporal.namespace, workflowId);
      const bytes = historyBytes(events);

      expect(events.length).toBeGreaterThan(5);
      for (const value of [...SECRETS, ...keys]) expect(bytes.includes(value)).toBe(false);
      const input = events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      for (const p of input) expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    }
  });

  it('When the Web UI sends a history payload to the codec endpoint, Then it gets the ids back; without credentials it gets 401', async () => {
    const [started] = await rawHistory(sys.config.temporal.address, sys.config.temporal.namespace, workflowIds.registration(single.id));
    const payload = started!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const json = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(payload.data!).toString('base64'),
        },
      ],
    };

    const decoded = await call(sys.api.url, 'POST', '/codec/decode', json);
    const anonymous = await call(sys.api.url, 'POST', '/codec/decode', json, { auth: 'none' });

    expect(decoded.status).toBe(200);
    const plain = decoded.body.payloads[0];
    expect(Buffer.from(plain.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(plain.data, 'base64').toString())).toEqual({ beneficiaryId: single.id, projectId: PROJECT });
    expect(anonymous.status).toBe(401);
  });

  it('When the Web UI origin sends a CORS preflight, Then it is allowed; another origin is not', async () => {
    const preflight = (origin: string) =>
      fetch(`${sys.api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });

    const ui = await preflight('http://127.0.0.1:8233');
    const other = await preflight('https://evil.example');

    expect(ui.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(ui.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../common/data-converter';
import { call, eventually, startSystem, type System } from '../support/system';

const PROJECT = 'imports';
const CSV_HEADER = 'externalId,name,phone,gender,walletAddress';
let sys: System;
let partner: Server;
let groupId: string;

/** A stand-in for a partner registry (the UNICEF feed): two pages, behind a bearer token. */
function startPartner(): Promise<Server> {
  const pages: Record<string, { items: unknown[]; next: string | null }> = {
    '1': {
      items: [
        { externalId: 'unicef-1', name: 'Feed One', phone: '+9779861000001' },
        { externalId: 'unicef-2', name: 'Feed Two' },
      ],
      next: '/feed?page=2',
    },
    '2': {
      items: [
        { externalId: 'unicef-3', phone: 'not-a-phone' },
        { externalId: 'unicef-4', gender: 'male' },
      ],
      next: null,
    },
  };
  const server = createServer((req, res) => {
    const page = new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1';
    if (req.headers.authorization !== 'Bearer partner-token') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pages[page]));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  partner = await startPartner();
  const feed = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/feed`;
  sys = await startSystem({
    IMPORT_CHUNK_SIZE: '10',
    IMPORT_PARTNERS: JSON.stringify({ unicef: { url: feed, token: 'partner-token' }, refusing: { url: feed, token: 'wrong' } }),
  });
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Imports' })).status).toBe(201);
  groupId = (await call(sys.api.url, 'POST', '/v1/groups', { projectId: PROJECT, name: 'imported' })).body.id;
  const existing = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: 'imp-existing' });
  await eventually(
    async () => (await call(sys.api.url, 'GET', existing.body.links.self)).body.status,
    (s) => s === 'ACTIVE',
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await sys?.stop();
  await new Promise((r) => partner?.close(r));
});

const upload = (body: string, contentType: string, query: string) =>
  call(sys.api.url, 'POST', `/v1/imports?projectId=${PROJECT}&${query}`, body, { headers: { 'content-type': contentType } });
const finished = (id: string, timeoutMs = 120_000) =>
  eventually(
    async () => (await call(sys.api.url, 'GET', `/v1/imports/${id}`)).body,
    (b) => Boolean(b.finishedAt),
    timeoutMs,
  );
const errorsOf = async (id: string) => (await call(sys.api.url, 'GET', `/v1/imports/${id}/errors?limit=1000`)).body.items;

/** 30 rows: six with problems (rows 2-7), 24 good ones. */
function problemFile(prefix: string, digit: number): string {
  const good = Array.from(
    { length: 23 },
    (_, i) => `${prefix}-${i + 8},Person ${i + 8},+97798700${digit}${String(i + 8).padStart(4, '0')},female,`,
  );
  return [
    CSV_HEADER,
    `${prefix}-1,First Person,+977987009${digit}001,female,`,
    `${prefix}-2,Bad Phone,9870099002,male,`,
    `,No Key,,other,`,
    `${prefix}-1,Same Again,,female,`,
    `${prefix}-5,Same Phone,+977987009${digit}001,male,`,
    `imp-existing,Already There,,,`,
    `${prefix}-7,Too,Many,Fields,Here,Now`,
    ...good,
  ].join('\n');
}

const EXPECTED_ERRORS = [
  { row: 2, status: 'INVALID', field: 'phone', message: 'must be an international number starting with + and the country code' },
  { row: 3, status: 'INVALID', field: 'externalId', message: 'externalId or phone is required to identify the person' },
  { row: 4, status: 'DUPLICATE', field: 'externalId', message: 'duplicate of row 1' },
  { row: 5, status: 'DUPLICATE', field: 'phone', message: 'duplicate of row 1' },
  { row: 6, status: 'DUPLICATE', field: 'externalId', message: 'already registered in this project' },
  { row: 7, status: 'INVALID', field: '(row)', message: 'has 6 fields, the header has 5' },
];

describe('bulk import', () => {
  it('When a CSV with bad rows is imported, Then good rows are enrolled with deployed wallets and in the group, and each bad row is reported by row, field and message', async () => {
    const res = await upload(problemFile('imp', 1), 'text/csv', `groupId=${groupId}`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'VALIDATING', rows: 30, invalidRows: 3 });

    const done = await finished(res.body.id, 180_000);

    expect(done).toMatchObject({
      status: 'COMPLETED',
      rows: { total: 30, invalid: 3, duplicate: 3, enrolled: 24, failed: 0, cancelled: 0 },
      walletsDeployed: 24,
    });
    expect(await errorsOf(res.body.id)).toEqual(EXPECTED_ERRORS);
    const enrolled = await sys.prisma.beneficiary.findMany({ where: { importId: res.body.id }, include: { wallet: true, personal: true } });
    expect(enrolled).toHaveLength(24);
    for (const b of enrolled) {
      expect(b.status).toBe('ACTIVE');
      expect(b.personal?.ciphertext).toMatch(/^[\w-]+:/);
      expect(b.wallet?.deployedAt).not.toBeNull();
    }
    for (const b of enrolled.slice(0, 3)) expect(await sys.provider.getCode(b.wallet!.address)).not.toBe('0x');
    expect((await call(sys.api.url, 'GET', `/v1/groups/${groupId}`)).body.memberCount).toBe(24);
    expect(
      await sys.prisma.outboxEvent.count({
        where: { projectId: PROJECT, type: 'beneficiary.created', aggregateId: { in: enrolled.map((b) => b.id) } },
      }),
    ).toBe(24);
  }, 240_000);

  it('When the import is listed page by page and found in Temporal, Then pages chain by cursor and ImportId finds its workflow', async () => {
    const imp = await sys.prisma.beneficiaryImport.findFirstOrThrow({ where: { projectId: PROJECT, status: 'COMPLETED', source: 'csv' } });

    const first = await call(sys.api.url, 'GET', `/v1/beneficiaries?importId=${imp.id}&limit=20`);
    const second = await call(sys.api.url, 'GET', `/v1/beneficiaries?importId=${imp.id}&limit=20&cursor=${first.body.nextCursor}`);

    expect(first.body.items).toHaveLength(20);
    expect(second.body.items).toHaveLength(4);
    expect(second.body.nextCursor).toBeUndefined();
    expect(first.body.items[0].personal.name).toMatch(/^P\*+ /);
    const connection = await Connection.connect({ address: sys.config.temporal.address });
    try {
      const client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
      const found = await eventually(
        async () => {
          const types: string[] = [];
          for await (const wf of client.workflow.list({ query: `ImportId = "${imp.id}" AND ProjectId = "${PROJECT}"` }))
            types.push(wf.type);
          return types;
        },
        (t) => t.length > 0,
      );
      expect(found).toEqual(['importBeneficiariesWorkflow']);
    } finally {
      await connection.close();
    }
  });

  it('When the same file is a dry run, Then it is VALIDATED with the same report and nothing is enrolled or kept personal', async () => {
    const res = await upload(problemFile('dry', 2), 'text/csv', 'dryRun=true');

    const done = await finished(res.body.id);

    expect(done).toMatchObject({ status: 'VALIDATED', dryRun: true, rows: { total: 30, invalid: 3, duplicate: 3, enrolled: 0 } });
    expect((await errorsOf(res.body.id)).map((e: { row: number }) => e.row)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await sys.prisma.beneficiary.count({ where: { importId: res.body.id } })).toBe(0);
    expect(await sys.prisma.importRow.count({ where: { importId: res.body.id, personal: { not: null } } })).toBe(0);
  });

  it('When JSON (an array, or JSON Lines) is uploaded, Then its records are imported like CSV rows', async () => {
    const array = await upload(
      JSON.stringify([
        { externalId: 'json-1', name: 'Json One' },
        { externalId: 'json-2', phone: '+9779871000002' },
      ]),
      'application/json',
      'deployWallets=false',
    );
    const lines = await upload(
      '{"externalId":"ndjson-1"}\n{"externalId":"ndjson-2","extras":{"household":3}}\n',
      'application/x-ndjson',
      'deployWallets=false',
    );

    expect((await finished(array.body.id)).rows).toMatchObject({ total: 2, enrolled: 2 });
    expect((await finished(lines.body.id)).rows).toMatchObject({ total: 2, enrolled: 2 });
    expect((await sys.prisma.beneficiary.findFirstOrThrow({ where: { projectId: PROJECT, externalId: 'ndjson-2' } })).extras).toEqual({
      household: 3,
    });
  });

  it('When the file is malformed, Then 400 explains it, the import is REJECTED and nothing of it is kept', async () => {
    const res = await upload('externalId,name\nbad-1,"unterminated\n', 'text/csv', '');

    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/malformed CSV/);
    const imp = await sys.prisma.beneficiaryImport.findFirstOrThrow({ where: { projectId: PROJECT, status: 'REJECTED' } });
    expect(await sys.prisma.importRow.count({ where: { importId: imp.id } })).toBe(0);
  });

  it('When beneficiaries are pulled from a partner registry, Then every page is imported; a registry that refuses fails the import with the reason', async () => {
    const pulled = await call(sys.api.url, 'POST', '/v1/imports/pull', { projectId: PROJECT, partner: 'unicef', deployWallets: false });
    const refused = await call(sys.api.url, 'POST', '/v1/imports/pull', { projectId: PROJECT, partner: 'refusing' });
    const unknown = await call(sys.api.url, 'POST', '/v1/imports/pull', { projectId: PROJECT, partner: 'nobody' });

    expect(await finished(pulled.body.id)).toMatchObject({
      status: 'COMPLETED',
      source: 'partner:unicef',
      rows: { total: 4, invalid: 1, enrolled: 3 },
    });
    expect(await errorsOf(pulled.body.id)).toEqual([{ row: 3, status: 'INVALID', field: 'phone', message: expect.any(String) }]);
    expect(await finished(refused.body.id)).toMatchObject({
      status: 'FAILED',
      failureReason: expect.stringMatching(/^ImportRejected: partner feed answered HTTP 401/),
    });
    expect(unknown.status).toBe(422);
  });

  it('When an import is cancelled while it runs, Then it ends CANCELLED: enrolled chunks stay, the rest is not imported', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `cancel-${i}`).join('\n');
    const res = await upload(`externalId\n${rows}`, 'text/csv', 'deployWallets=false');

    const cancel = await call(sys.api.url, 'POST', `/v1/imports/${res.body.id}/cancel`);
    const done = await finished(res.body.id);

    expect(cancel.status).toBe(202);
    expect(done.status).toBe('CANCELLED');
    expect(done.rows.enrolled).toBeLessThan(2000);
    expect(done.rows.enrolled + done.rows.cancelled).toBe(2000);
    expect(await sys.prisma.beneficiary.count({ where: { importId: res.body.id } })).toBe(done.rows.enrolled);
  }, 180_000);
});

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpProblem, problemHandler, unknownRoute } from './problem';
import { parse } from './validate';

const PROBLEM_JSON = /^application\/problem\+json/;
const payout = z.strictObject({ beneficiaryId: z.uuid(), amount: z.string().regex(/^[1-9]\d*$/, 'must be a positive integer') });

let server: Server;
let base: string;
const logError = jest.fn();

beforeAll(async () => {
  const app = express();
  app.use((req, _res, next) => {
    req.id = 'req-1';
    next();
  });
  app.use(express.json());
  app.post('/payouts', (req, res) => {
    const body = parse(payout, req, 'body');
    res.status(201).json(body);
  });
  app.get('/gone', () => {
    throw new HttpProblem(410, 'Gone', 'payout p-1 was withdrawn');
  });
  app.get('/boom', async () => {
    throw new Error('password=hunter2 at db.internal:5432');
  });
  app.use(unknownRoute);
  app.use(problemHandler({ error: logError } as unknown as Logger));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => logError.mockClear());

async function send(method: string, path: string, body?: string) {
  const res = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, any> };
}

describe('problem+json error handling', () => {
  it('When the body is valid, Then the handler receives the parsed value', async () => {
    const body = { beneficiaryId: '5d1b7a0e-3c2f-4a41-9b6d-0f2e4c6a8b10', amount: '100' };

    const res = await send('POST', '/payouts', JSON.stringify(body));

    expect(res.status).toBe(201);
    expect(res.body).toEqual(body);
  });

  it('When body fields are invalid, Then 400 problem+json names each field under body.', async () => {
    const res = await send('POST', '/payouts', JSON.stringify({ beneficiaryId: 'nope', amount: '-5' }));

    expect(res.status).toBe(400);
    expect(res.type).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      instance: '/payouts',
      requestId: 'req-1',
    });
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.beneficiaryId', 'body.amount']));
    expect(res.body.errors.find((e: { field: string }) => e.field === 'body.amount').message).toBe('must be a positive integer');
    expect(res.body.detail).toContain('body.amount: must be a positive integer');
  });

  it('When the body has unknown keys, Then each unknown key is named as its own field', async () => {
    const res = await send(
      'POST',
      '/payouts',
      JSON.stringify({ beneficiaryId: '5d1b7a0e-3c2f-4a41-9b6d-0f2e4c6a8b10', amount: '1', memo: 'x', admin: true }),
    );

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.admin', 'body.memo']);
  });

  it('When the body is missing entirely, Then the required fields are named', async () => {
    const res = await send('POST', '/payouts');

    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body.beneficiaryId', 'body.amount']));
  });

  it('When the JSON is malformed, Then 400 problem+json, not 500', async () => {
    const res = await send('POST', '/payouts', '{"amount": ');

    expect(res.status).toBe(400);
    expect(res.type).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ title: 'Malformed body', status: 400 });
    expect(logError).not.toHaveBeenCalled();
  });

  it('When no route matches, Then 404 problem+json names the method and path', async () => {
    const res = await send('GET', '/nowhere');

    expect(res.status).toBe(404);
    expect(res.type).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ title: 'Not Found', status: 404, detail: 'no route for GET /nowhere', instance: '/nowhere' });
  });

  it('When a handler throws an HttpProblem, Then its status, title and detail are rendered', async () => {
    const res = await send('GET', '/gone');

    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ title: 'Gone', status: 410, detail: 'payout p-1 was withdrawn' });
    expect(res.body).not.toHaveProperty('errors');
  });

  it('When a handler throws a plain Error, Then 500 problem+json hides the message and the error is logged', async () => {
    const res = await send('GET', '/boom');

    expect(res.status).toBe(500);
    expect(res.type).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ title: 'Internal Server Error', status: 500, requestId: 'req-1' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(logError).toHaveBeenCalledWith(expect.objectContaining({ requestId: 'req-1', err: expect.any(Error) }), 'unhandled error');
  });
});

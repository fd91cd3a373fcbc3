import { Readable } from 'node:stream';
import { csvRecords, ImportRejected, jsonArrayRecords, ndjsonRecords, type RawRecord } from './import-parsers';

/** The text as a stream cut into tiny pieces, so records straddle chunk boundaries. */
const stream = (text: string, size = 7) =>
  Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => Buffer.from(text.slice(i * size, (i + 1) * size))));
const all = async (gen: AsyncGenerator<RawRecord>) => {
  const out: RawRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
};
const rejection = async (gen: AsyncGenerator<RawRecord>) => {
  const err = await all(gen).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportRejected);
  return err as ImportRejected;
};

describe('csvRecords', () => {
  it('When headers are spelled loosely, Then they map to fields; empty cells are absent and extras is parsed JSON', async () => {
    const csv = 'External ID,Name,phone,extras\nu-1,"Sharma, Sita",+9779841234567,"{""household"":4}"\nu-2,,,\n';

    expect(await all(csvRecords(stream(csv)))).toEqual([
      { rowNumber: 1, fields: { externalId: 'u-1', name: 'Sharma, Sita', phone: '+9779841234567', extras: { household: 4 } } },
      { rowNumber: 2, fields: { externalId: 'u-2' } },
    ]);
  });

  it('When a row has a different number of fields than the header, Then that row alone carries an error', async () => {
    const records = await all(csvRecords(stream('externalId,name\nu-1,A\nu-2,B,extra\nu-3,C\n')));

    expect(records.map((r) => r.error)).toEqual([undefined, 'has 3 fields, the header has 2', undefined]);
  });

  it('When a column is unknown, Then the whole file is rejected naming the column', async () => {
    expect((await rejection(csvRecords(stream('externalId,shoeSize\nu-1,42\n')))).message).toMatch(/unknown column "shoeSize"/);
  });

  it('When the CSV is malformed, Then it is rejected with a position but without quoting the content', async () => {
    const err = await rejection(csvRecords(stream('externalId,name\nu-1,"Sita "secret" Sharma\n')));

    expect(err.message).toMatch(/malformed CSV .* near line/);
    expect(err.message).not.toContain('secret');
  });

  it('When the file is empty, Then it is rejected', async () => {
    expect((await rejection(csvRecords(stream('')))).message).toMatch(/header row is required/);
  });
});

describe('ndjsonRecords', () => {
  it('When lines hold objects, Then each is a record; a bad line carries its own error; blank lines are skipped', async () => {
    const records = await all(ndjsonRecords(stream('{"externalId":"u-1","name":null}\n\n[1,2]\n{oops\n{"phone":"+9779841234567"}\n')));

    expect(records).toEqual([
      { rowNumber: 1, fields: { externalId: 'u-1' } },
      { rowNumber: 2, fields: {}, error: 'must be a JSON object' },
      { rowNumber: 3, fields: {}, error: 'is not valid JSON' },
      { rowNumber: 4, fields: { phone: '+9779841234567' } },
    ]);
  });
});

describe('jsonArrayRecords', () => {
  it('When an array of objects streams in small pieces, Then each object is one record, strings with braces and quotes included', async () => {
    const json = ' [ {"externalId":"u-1","name":"A \\"}{\\" B","extras":{"k":[1,{"x":2}]}} ,\n{"externalId":"u-2"} ] ';

    expect(await all(jsonArrayRecords(stream(json, 3)))).toEqual([
      { rowNumber: 1, fields: { externalId: 'u-1', name: 'A "}{" B', extras: { k: [1, { x: 2 }] } } },
      { rowNumber: 2, fields: { externalId: 'u-2' } },
    ]);
  });

  it.each([
    ['{"externalId":"u-1"}', /array of objects/],
    ['[{"externalId":"u-1"}, 42]', /must be an object/],
    ['[{"externalId":"u-1"}', /not closed/],
    ['[{"externalId":"u-1"}] trailing', /after the JSON array/],
  ])('When the body is %s, Then the file is rejected', async (json, message) => {
    expect((await rejection(jsonArrayRecords(stream(json)))).message).toMatch(message);
  });
});

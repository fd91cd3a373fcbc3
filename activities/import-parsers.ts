import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { beneficiaryFields } from '../common/beneficiary-input';

/** A record read from a file or feed, numbered from 1 (headers not counted), not yet validated. */
export interface RawRecord {
  rowNumber: number;
  fields: unknown;
  /** Set when the record could not even be read as fields. */
  error?: string;
}

/** The file itself is unusable (not the rows in it): nothing of it is imported. */
export class ImportRejected extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'ImportRejected';
  }
}

export type UploadFormat = 'csv' | 'ndjson' | 'json';

const FIELD_BY_KEY = new Map(Object.keys(beneficiaryFields).map((f) => [f.toLowerCase(), f]));
const MAX_RECORD_BYTES = 64 * 1024;

/** Header cells map to field names case- and punctuation-insensitively ("External ID" → externalId). */
function fieldOfHeader(cell: string): string {
  const field = FIELD_BY_KEY.get(cell.toLowerCase().replace(/[^a-z0-9]/g, ''));
  if (!field) throw new ImportRejected(`unknown column "${cell.slice(0, 64)}"; known columns: ${[...FIELD_BY_KEY.values()].join(', ')}`);
  return field;
}

/** CSV cells are text: empty means absent, and `extras` holds a JSON object. */
function csvFields(header: string[], cells: string[]): unknown {
  const fields: Record<string, unknown> = {};
  header.forEach((field, i) => {
    const cell = cells[i]?.trim();
    if (!cell) return;
    if (field !== 'extras') fields[field] = cell;
    else {
      try {
        fields.extras = JSON.parse(cell) as unknown;
      } catch {
        fields.extras = 'not JSON';
      }
    }
  });
  return fields;
}

export async function* csvRecords(input: Readable): AsyncGenerator<RawRecord> {
  const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: MAX_RECORD_BYTES }));
  let header: string[] | undefined;
  let rowNumber = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = cells.map((c) => fieldOfHeader(c.trim()));
        if (new Set(header).size !== header.length) throw new ImportRejected('a column appears twice in the header');
        continue;
      }
      rowNumber += 1;
      if (cells.length !== header.length)
        yield { rowNumber, fields: {}, error: `has ${cells.length} fields, the header has ${header.length}` };
      else yield { rowNumber, fields: csvFields(header, cells) };
    }
  } catch (err) {
    if (err instanceof ImportRejected) throw err;
    // csv-parse messages quote the offending text; keep only its code and position.
    const e = err as { code?: string; lines?: number };
    throw new ImportRejected(`malformed CSV (${e.code ?? 'parse error'}) near line ${e.lines ?? '?'}`);
  }
  if (!header) throw new ImportRejected('the file is empty: a header row is required');
}

/** JSON Lines: one object per line. */
export async function* ndjsonRecords(input: Readable): AsyncGenerator<RawRecord> {
  let rowNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    rowNumber += 1;
    yield parseJsonRecord(rowNumber, line);
  }
}

function parseJsonRecord(rowNumber: number, text: string): RawRecord {
  if (text.length > MAX_RECORD_BYTES) return { rowNumber, fields: {}, error: `is longer than ${MAX_RECORD_BYTES} bytes` };
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { rowNumber, fields: {}, error: 'must be a JSON object' };
    // null means absent, as an empty CSV cell does.
    return { rowNumber, fields: Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) };
  } catch {
    return { rowNumber, fields: {}, error: 'is not valid JSON' };
  }
}

/**
 * A top-level JSON array, split into its elements as bytes arrive: only the element being
 * read is held in memory, never the whole array.
 */
export async function* jsonArrayRecords(input: Readable): AsyncGenerator<RawRecord> {
  let state: 'before' | 'between' | 'in-object' | 'done' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let rowNumber = 0;
  for await (const chunk of input) {
    for (const ch of typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')) {
      if (state !== 'in-object') {
        if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') continue;
        if (state === 'before' && ch === '[') state = 'between';
        else if (state === 'between' && ch === ',') continue;
        else if (state === 'between' && ch === ']') state = 'done';
        else if (state === 'between' && ch === '{') {
          state = 'in-object';
          depth = 1;
          current = ch;
        } else
          throw new ImportRejected(
            state === 'before'
              ? 'a JSON upload must be an array of objects'
              : state === 'done'
                ? 'unexpected content after the JSON array'
                : 'every element of the JSON array must be an object',
          );
        continue;
      }
      current += ch;
      if (current.length > MAX_RECORD_BYTES) throw new ImportRejected(`record ${rowNumber + 1} is longer than ${MAX_RECORD_BYTES} bytes`);
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth += 1;
      else if ((ch === '}' || ch === ']') && --depth === 0) {
        rowNumber += 1;
        yield parseJsonRecord(rowNumber, current);
        current = '';
        state = 'between';
      }
    }
  }
  if (state !== 'done') throw new ImportRejected('the JSON array is not closed');
}

export function recordsOf(format: UploadFormat, input: Readable): AsyncGenerator<RawRecord> {
  return format === 'csv' ? csvRecords(input) : format === 'ndjson' ? ndjsonRecords(input) : jsonArrayRecords(input);
}

import { open } from 'node:fs/promises';

/** A JSON value's type, as its first byte tells it. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export type JsonScan =
  | { ok: true; kind: JsonKind; /** Keys of a top-level object with their values' kinds. */ keys: Map<string, JsonKind> }
  | { ok: false; reason: string; offset: number };

// States of the scanner; numbers follow RFC 8259's grammar.
const VALUE = 0, FIRST_KEY = 1, KEY = 2, COLON = 3, AFTER = 4, FIRST_ITEM = 5, STR = 6, ESC = 7, HEX = 8;
const MINUS = 9, ZERO = 10, INT = 11, DOT = 12, FRAC = 13, E = 14, E_SIGN = 15, EXP = 16, LITERAL = 17, END = 18, FAILED = 19;
const OBJ = 0, ARR = 1;
const MAX_DEPTH = 512;
const LITERALS: Record<number, [JsonKind, number[]]> = {
  0x74: ['boolean', [0x72, 0x75, 0x65]], // t(rue)
  0x66: ['boolean', [0x61, 0x6c, 0x73, 0x65]], // f(alse)
  0x6e: ['null', [0x75, 0x6c, 0x6c]], // n(ull)
};
const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isHex = (b: number) => isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);

/**
 * Checks that bytes fed in chunks form one complete JSON text, without building it: memory stays
 * flat for files of any size. Keeps only the top-level object's keys. Bytes >= 0x80 inside strings
 * are not checked as UTF-8 (the files it checks are ASCII).
 */
export class JsonScanner {
  private state = VALUE;
  private readonly stack: number[] = [];
  private offset = 0;
  private failure?: { reason: string; offset: number };
  private kind?: JsonKind;
  private readonly keys = new Map<string, JsonKind>();
  private strIsKey = false;
  /** A key of the top-level object, kept. */
  private collect = false;
  private keyBytes: number[] = [];
  private key = '';
  private literal: number[] = [];
  private literalAt = 0;
  private hexLeft = 0;

  feed(buf: Uint8Array): boolean {
    const n = buf.length;
    let i = 0;
    while (i < n && this.state !== FAILED) {
      if (this.state === STR) {
        // Strings are most of the bytes: skip to the next quote, backslash or control byte.
        let j = i;
        while (j < n) {
          const c = buf[j];
          if (c === 0x22 || c === 0x5c || c < 0x20) break;
          j++;
        }
        if (this.collect && this.keyBytes.length < 256) for (let k = i; k < j; k++) this.keyBytes.push(buf[k]);
        if (j < n) this.stringByte(buf[j], j);
        i = j + 1;
      } else if (this.step(buf[i], i)) {
        i++;
      }
    }
    this.offset += n;
    return this.state !== FAILED;
  }

  /** The verdict once every byte was fed. */
  end(): JsonScan {
    if ((this.state === ZERO || this.state === INT || this.state === FRAC || this.state === EXP) && this.stack.length === 0) this.state = END;
    if (this.failure) return { ok: false, ...this.failure };
    if (this.state !== END || !this.kind) {
      const open = this.stack.length;
      return { ok: false, reason: `ends before the JSON is complete (${open} unclosed bracket${open === 1 ? '' : 's'})`, offset: this.offset };
    }
    return { ok: true, kind: this.kind, keys: this.keys };
  }

  private fail(reason: string, at: number): false {
    this.failure = { reason, offset: this.offset + at };
    this.state = FAILED;
    return false;
  }

  private stringByte(c: number, at: number): void {
    if (c === 0x5c) {
      this.state = ESC;
      if (this.collect) this.keyBytes.push(c);
    } else if (c === 0x22) {
      if (this.strIsKey) {
        if (this.collect) this.key = Buffer.from(this.keyBytes).toString('utf8');
        this.state = COLON;
      } else {
        this.valueDone();
      }
    } else {
      this.fail('control character inside a string', at);
    }
  }

  /** One byte outside a string's plain run; false when the byte must be read again in the new state. */
  private step(b: number, at: number): boolean {
    switch (this.state) {
      case VALUE:
        return isWs(b) || this.startValue(b, at);
      case FIRST_ITEM:
        if (b === 0x5d) return this.close(ARR, at);
        return isWs(b) || this.startValue(b, at);
      case FIRST_KEY:
        if (b === 0x7d) return this.close(OBJ, at);
      // falls through: otherwise a key, as after a comma
      case KEY:
        if (isWs(b)) return true;
        if (b !== 0x22) return this.fail('expected a key', at);
        this.state = STR;
        this.strIsKey = true;
        this.collect = this.stack.length === 1;
        this.keyBytes = [];
        return true;
      case COLON:
        if (isWs(b)) return true;
        if (b !== 0x3a) return this.fail("expected ':'", at);
        this.state = VALUE;
        return true;
      case AFTER:
        if (isWs(b)) return true;
        if (b === 0x2c) {
          this.state = this.stack[this.stack.length - 1] === OBJ ? KEY : VALUE;
          return true;
        }
        if (b === 0x7d) return this.close(OBJ, at);
        if (b === 0x5d) return this.close(ARR, at);
        return this.fail("expected ',' or a closing bracket", at);
      case ESC:
        if (this.collect) this.keyBytes.push(b);
        if (b === 0x75) {
          this.state = HEX;
          this.hexLeft = 4;
        } else if ('"\\/bfnrt'.includes(String.fromCharCode(b))) this.state = STR;
        else return this.fail('bad escape in a string', at);
        return true;
      case HEX:
        if (!isHex(b)) return this.fail('bad \\u escape', at);
        if (this.collect) this.keyBytes.push(b);
        if (--this.hexLeft === 0) this.state = STR;
        return true;
      case LITERAL:
        if (b !== this.literal[this.literalAt]) return this.fail('bad literal', at);
        if (++this.literalAt === this.literal.length) this.valueDone();
        return true;
      case END:
        return isWs(b) || this.fail('data after the end of the JSON', at);
      default:
        return this.numberByte(b, at);
    }
  }

  private numberByte(b: number, at: number): boolean {
    const s = this.state;
    if (isDigit(b)) {
      if (s === ZERO) return this.fail('leading zero in a number', at);
      this.state = s === MINUS ? (b === 0x30 ? ZERO : INT) : s === DOT ? FRAC : s === E || s === E_SIGN ? EXP : s;
      return true;
    }
    if (b === 0x2e && (s === ZERO || s === INT)) this.state = DOT;
    else if ((b === 0x65 || b === 0x45) && (s === ZERO || s === INT || s === FRAC)) this.state = E;
    else if ((b === 0x2b || b === 0x2d) && s === E) this.state = E_SIGN;
    else if (s === ZERO || s === INT || s === FRAC || s === EXP) {
      this.valueDone();
      return false;
    } else return this.fail('bad number', at);
    return true;
  }

  private startValue(b: number, at: number): boolean {
    let kind: JsonKind;
    if (b === 0x7b || b === 0x5b) {
      kind = b === 0x7b ? 'object' : 'array';
      this.note(kind);
      if (this.stack.length >= MAX_DEPTH) return this.fail('nested too deep', at);
      this.stack.push(b === 0x7b ? OBJ : ARR);
      this.state = b === 0x7b ? FIRST_KEY : FIRST_ITEM;
      return true;
    }
    if (b === 0x22) {
      kind = 'string';
      this.state = STR;
      this.strIsKey = false;
      this.collect = false;
    } else if (b === 0x2d || isDigit(b)) {
      kind = 'number';
      this.state = b === 0x2d ? MINUS : b === 0x30 ? ZERO : INT;
    } else if (LITERALS[b]) {
      [kind, this.literal] = LITERALS[b];
      this.literalAt = 0;
      this.state = LITERAL;
    } else return this.fail('expected a value', at);
    this.note(kind);
    return true;
  }

  private note(kind: JsonKind): void {
    if (this.stack.length === 0) this.kind = kind;
    else if (this.stack.length === 1 && this.stack[0] === OBJ) this.keys.set(this.key, kind);
  }

  private close(type: number, at: number): boolean {
    if (this.stack.pop() !== type) return this.fail('mismatched closing bracket', at);
    this.valueDone();
    return true;
  }

  private valueDone(): void {
    this.state = this.stack.length === 0 ? END : AFTER;
  }
}

/** Scans a file in 4 MiB reads. */
export async function scanJsonFile(file: string): Promise<JsonScan> {
  const fh = await open(file, 'r');
  try {
    const scanner = new JsonScanner();
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return scanner.end();
      if (!scanner.feed(buf.subarray(0, bytesRead))) return scanner.end();
    }
  } finally {
    await fh.close();
  }
}

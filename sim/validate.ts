/**
 * A small reader for JSON configuration: every accessor names the field it reads with
 * its full path, so a bad file is rejected with one line `file: field: problem`.
 */
import { InputError } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class Reader {
  constructor(
    readonly file: string,
    readonly value: unknown,
    readonly path: string = '',
  ) {}

  fail(problem: string, field: string = this.path): never {
    throw new InputError(this.file, field || '(root)', problem);
  }

  private sub(key: string | number): string {
    return typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
  }

  isObject(): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value);
  }

  object(): Record<string, unknown> {
    if (!this.isObject()) this.fail(`expected an object, got ${describe(this.value)}`);
    return this.value as Record<string, unknown>;
  }

  has(key: string): boolean {
    const o = this.object();
    return Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
  }

  /** Child reader; the field must exist. */
  get(key: string): Reader {
    const o = this.object();
    if (!this.has(key)) this.fail('missing', this.sub(key));
    return new Reader(this.file, o[key], this.sub(key));
  }

  /** Child reader or undefined when absent. */
  opt(key: string): Reader | undefined {
    return this.has(key) ? this.get(key) : undefined;
  }

  /** Reject keys not in `allowed` (catches typos in hand-written files). */
  only(allowed: readonly string[]): this {
    for (const k of Object.keys(this.object())) {
      if (!allowed.includes(k)) this.fail(`unknown field (allowed: ${allowed.join(', ')})`, this.sub(k));
    }
    return this;
  }

  items(): Reader[] {
    if (!Array.isArray(this.value)) this.fail(`expected an array, got ${describe(this.value)}`);
    return (this.value as unknown[]).map((v, i) => new Reader(this.file, v, this.sub(i)));
  }

  number(opts: { min?: number; max?: number; gt?: number; lt?: number; integer?: boolean } = {}): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`expected a finite number, got ${describe(v)}`);
    const n = v as number;
    if (opts.integer && !Number.isInteger(n)) this.fail(`expected a whole number, got ${n}`);
    if (opts.min !== undefined && n < opts.min) this.fail(`must be >= ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) this.fail(`must be <= ${opts.max}, got ${n}`);
    if (opts.gt !== undefined && !(n > opts.gt)) this.fail(`must be > ${opts.gt}, got ${n}`);
    if (opts.lt !== undefined && !(n < opts.lt)) this.fail(`must be < ${opts.lt}, got ${n}`);
    return n;
  }

  string(opts: { oneOf?: readonly string[]; nonEmpty?: boolean } = {}): string {
    const v = this.value;
    if (typeof v !== 'string') this.fail(`expected a string, got ${describe(v)}`);
    const s = v as string;
    if (opts.nonEmpty && s.length === 0) this.fail('must not be empty');
    if (opts.oneOf && !opts.oneOf.includes(s)) this.fail(`must be one of ${opts.oneOf.join(', ')}, got "${s}"`);
    return s;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail(`expected true or false, got ${describe(this.value)}`);
    return this.value as boolean;
  }

  /** Array of finite numbers with optional bounds, length and ordering checks. */
  numbers(opts: { min?: number; max?: number; gt?: number; minLength?: number; length?: number; ascending?: boolean } = {}): number[] {
    const items = this.items();
    if (opts.length !== undefined && items.length !== opts.length) {
      this.fail(`expected ${opts.length} values, got ${items.length}`);
    }
    if (opts.minLength !== undefined && items.length < opts.minLength) {
      this.fail(`expected at least ${opts.minLength} values, got ${items.length}`);
    }
    const out = items.map((r) => r.number({ min: opts.min, max: opts.max, gt: opts.gt }));
    if (opts.ascending) {
      for (let i = 1; i < out.length; i++) {
        if (!(out[i]! > out[i - 1]!)) this.fail(`must be strictly ascending (index ${i}: ${out[i]} after ${out[i - 1]})`);
      }
    }
    return out;
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Parse JSON text; a syntax error becomes a one-line InputError naming the file (and the line and
 * column when the parser gives a position). A leading UTF-8 byte order mark is skipped.
 */
export function parseJson(file: string, text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new InputError(file, '(syntax)', jsonSyntaxMessage(body, e));
  }
}

/**
 * "not valid JSON at line 3, column 7: Unexpected token 'w'" for the error JSON.parse threw on
 * `body`: one line, without the text the parser quotes around the error (newlines, or the raw
 * bytes of a file that is not text at all, which would reach the terminal as they are).
 */
export function jsonSyntaxMessage(body: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /at position (\d+)/.exec(msg);
  let where = '';
  if (pos) {
    const before = body.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    where = ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
  }
  // the parser quotes the text around the error, newlines included: keep the first part only
  const first = msg
    .replace(/,?\s*(\.\.\.)?"[\s\S]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const hint = /\b(NaN|-?Infinity)\b/.test(body) ? ' (NaN and Infinity are not JSON numbers)' : '';
  // a token the parser names may itself be a control character or a stray byte
  return `not valid JSON${where}: ${printable(first)}${hint}`;
}

/** Control characters and U+FFFD (a byte that was not UTF-8) as \\xNN / \\uFFFD, so a message stays one clean line. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- these are what is replaced
  return s.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => (c === '\ufffd' ? '\\uFFFD' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

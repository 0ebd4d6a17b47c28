/**
 * Experiment steps written the way PyBaMM's `Experiment` writes them ("Discharge at 1C until
 * 2.0 V", "Hold at 4.0 V until C/20", "Rest for 1 hour"), parsed into a typed `Step` that the
 * runner executes. Extensions: "until 20 % SOC", and a trailing "pack" after a voltage to refer
 * to the pack terminal voltage instead of a cell.
 *
 * Signs follow the simulator: current, C-rate and power are POSITIVE WHEN CHARGING, so
 * "Discharge at 1C" gives c_rate = -1. A voltage refers to a cell by default: a charge ends when
 * the highest cell voltage rises to it, a discharge when the lowest cell voltage falls to it, and
 * a hold keeps the highest cell at it. Matching is case-insensitive and tolerant of spaces.
 *
 * Syntax errors and steps that can never end are rejected here; physical sense (a charge "until
 * 2.0 V" that is already met) is the runner's business.
 */
import { InputError } from '../errors.ts';
import type { Reader } from '../validate.ts';

export type Reference = 'cell' | 'pack';

export type Control =
  | { mode: 'current'; current_A: number } // signed, charge positive
  | { mode: 'c_rate'; c_rate: number } // signed, charge positive; 1C = pack (or cell) capacity in A
  | { mode: 'power'; power_W: number } // signed, charge positive
  | { mode: 'voltage'; voltage_V: number; reference: Reference } // CV hold
  | { mode: 'rest' };

export type Termination =
  | { kind: 'voltage'; voltage_V: number; reference: Reference } // charge: rises to, discharge: falls to
  | { kind: 'current_A'; current_A: number } // |I| falls to or below (for holds)
  | { kind: 'c_rate'; c_rate: number } // |I| falls to or below c_rate × capacity
  | { kind: 'soc'; soc: number }; // fraction 0..1

export interface Step {
  text: string;
  control: Control;
  duration_s: number | null;
  until: Termination[];
}

/** Where a step came from, for error messages: `file: field: problem`. */
export interface Where {
  file: string;
  field: string;
}

const DEFAULT_WHERE: Where = { file: '(experiment)', field: 'step' };

const EXPECT_VERB = 'expected "Discharge|Charge|Hold|Rest ..."';
const EXPECT_DRIVE = 'a current (A, mA), C-rate (C, C/n) or power (W, kW)';
const EXPECT_HOLD = 'a voltage (V, mV)';
const EXPECT_DURATION = 'a duration (s, min, h)';
const EXPECT_LIMIT = 'a voltage (V, mV), current (A, mA), C-rate (C, C/n) or SOC (%)';

type Kind = 'current' | 'c_rate' | 'power' | 'voltage' | 'soc' | 'time';

interface Unit {
  kind: Kind;
  factor: number;
}

const unitsOf = (kind: Kind, factor: number, ...words: string[]): [string, Unit][] => words.map((w) => [w, { kind, factor }]);

/** Unit word (lower case) → quantity kind and factor to SI (A, 1, W, V, fraction, s). */
const UNITS: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ...unitsOf('current', 1, 'a'),
  ...unitsOf('current', 1e-3, 'ma'),
  ...unitsOf('c_rate', 1, 'c'),
  ...unitsOf('power', 1, 'w'),
  ...unitsOf('power', 1e3, 'kw'),
  ...unitsOf('voltage', 1, 'v'),
  ...unitsOf('voltage', 1e-3, 'mv'),
  ...unitsOf('time', 1, 's', 'sec', 'secs', 'second', 'seconds'),
  ...unitsOf('time', 60, 'min', 'mins', 'minute', 'minutes'),
  ...unitsOf('time', 3600, 'h', 'hr', 'hrs', 'hour', 'hours'),
]);

interface Token {
  type: 'num' | 'cdiv' | 'word' | 'pct' | 'other';
  text: string;
}

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?`;
const TOKEN = new RegExp(String.raw`\s*(?:(${NUMBER})|(c\s*/\s*${NUMBER})|([a-z]+)|(%)|(\S))`, 'giy');

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null && m[0].trim() !== '') {
    if (m[1] !== undefined) out.push({ type: 'num', text: m[1] });
    else if (m[2] !== undefined) out.push({ type: 'cdiv', text: m[2].replace(/\s+/g, '') });
    else if (m[3] !== undefined) out.push({ type: 'word', text: m[3] });
    else if (m[4] !== undefined) out.push({ type: 'pct', text: '%' });
    else out.push({ type: 'other', text: m[5]! });
  }
  return out;
}

interface Quantity {
  kind: Kind;
  /** Magnitude in SI units (A, C-rate, W, V, SOC fraction, s); never negative. */
  value: number;
  reference: Reference;
  raw: string;
}

class StepParser {
  private readonly toks: Token[];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly where: Where,
  ) {
    this.toks = tokenize(text);
  }

  private fail(problem: string): never {
    throw new InputError(this.where.file, this.where.field, problem);
  }

  /** A syntax error: quotes the step and says what was expected. */
  private syntax(expected: string): never {
    this.fail(`cannot parse "${this.text}": ${expected}`);
  }

  private peek(ahead = 0): Token | undefined {
    return this.toks[this.i + ahead];
  }

  private isWord(t: Token | undefined, ...words: string[]): boolean {
    return t !== undefined && t.type === 'word' && words.includes(t.text.toLowerCase());
  }

  private got(): string {
    const t = this.peek();
    return t === undefined ? 'the end of the step' : `"${t.text}"`;
  }

  parse(): Step {
    const verbTok = this.peek();
    if (verbTok === undefined) this.syntax(`empty step: ${EXPECT_VERB}`);
    const verb = verbTok.text.toLowerCase();
    if (verbTok.type !== 'word' || !['discharge', 'charge', 'hold', 'rest'].includes(verb)) this.syntax(EXPECT_VERB);
    this.i++;
    let control: Control;
    if (verb === 'rest') {
      control = { mode: 'rest' };
    } else if (verb === 'hold') {
      const needs = `"Hold" needs "at <voltage> V" (e.g. "Hold at 4.0 V until C/20")`;
      if (!this.isWord(this.peek(), 'at')) this.syntax(`${needs}, got ${this.got()}`);
      this.i++;
      const q = this.quantity(EXPECT_HOLD, ['voltage'], needs);
      control = { mode: 'voltage', voltage_V: q.value, reference: q.reference };
    } else {
      if (!this.isWord(this.peek(), 'at')) {
        this.syntax(`expected "at" and ${EXPECT_DRIVE} after "${verbTok.text}", got ${this.got()}`);
      }
      this.i++;
      const q = this.quantity(EXPECT_DRIVE, ['current', 'c_rate', 'power']);
      const v = verb === 'charge' ? q.value : -q.value;
      if (q.kind === 'current') control = { mode: 'current', current_A: v };
      else if (q.kind === 'c_rate') control = { mode: 'c_rate', c_rate: v };
      else control = { mode: 'power', power_W: v };
    }

    let duration_s: number | null = null;
    const until: Termination[] = [];
    let sawUntil = false;
    while (this.peek() !== undefined) {
      if (this.isWord(this.peek(), 'or') && (duration_s !== null || sawUntil)) this.i++;
      if (this.isWord(this.peek(), 'for')) {
        if (duration_s !== null) this.syntax('"for <duration>" given twice');
        this.i++;
        duration_s = this.quantity(EXPECT_DURATION, ['time'], undefined, true).value;
      } else if (this.isWord(this.peek(), 'until')) {
        sawUntil = true;
        this.i++;
        until.push(this.termination());
        while (this.isWord(this.peek(), 'or') && !this.isWord(this.peek(1), 'for', 'until')) {
          this.i++;
          until.push(this.termination());
        }
      } else {
        this.syntax(`expected "for <duration>" or "until <limit>", got ${this.got()}`);
      }
    }

    this.checkEnds(control, duration_s, until);
    return { text: this.text, control, duration_s, until };
  }

  private termination(): Termination {
    const q = this.quantity(EXPECT_LIMIT, ['voltage', 'current', 'c_rate', 'soc']);
    switch (q.kind) {
      case 'voltage':
        return { kind: 'voltage', voltage_V: q.value, reference: q.reference };
      case 'current':
        return { kind: 'current_A', current_A: q.value };
      case 'c_rate':
        return { kind: 'c_rate', c_rate: q.value };
      default:
        return { kind: 'soc', soc: q.value };
    }
  }

  /**
   * A number with its unit (or C/n), as a positive magnitude in SI units. `wrongKind` replaces
   * the generic message when the quantity parses but is of a kind not allowed here.
   */
  private quantity(expected: string, allowed: readonly Kind[], wrongKind?: string, isDuration = false): Quantity {
    const t = this.peek();
    if (t === undefined || this.isWord(t, 'for', 'until', 'or')) {
      const before = this.toks[this.i - 1]!.text;
      this.syntax(`missing value after "${before}": expected ${expected}`);
    }
    if (t.type === 'word' && UNITS.has(t.text.toLowerCase())) {
      this.syntax(`missing value before "${t.text}": expected ${expected}`);
    }
    this.i++;
    let q: Quantity;
    if (t.type === 'cdiv') {
      const nText = t.text.slice(2);
      const n = this.finite(nText, t.text);
      if (nText.startsWith('-')) this.negative(t.text);
      if (!(n > 0)) this.syntax(`"${t.text}" divides by zero: expected C/n with n > 0`);
      q = { kind: 'c_rate', value: 1 / n, reference: 'cell', raw: t.text };
    } else if (t.type === 'num') {
      q = this.unit(t, expected, isDuration);
    } else {
      this.syntax(wrongKind !== undefined ? `${wrongKind}, got "${t.text}"` : `expected ${expected}, got "${t.text}"`);
    }
    if (!allowed.includes(q.kind)) {
      if (wrongKind !== undefined) this.syntax(`${wrongKind}, got "${q.raw}"`);
      if (q.kind === 'time') this.syntax(`"until ${q.raw}": a duration goes in "for ${q.raw}"`);
      this.syntax(`expected ${expected}, got "${q.raw}"`);
    }
    if (q.kind !== 'soc' && !(q.value > 0)) this.syntax(`"${q.raw}" must be greater than zero`);
    if (q.kind === 'soc' && q.value > 1) this.syntax(`"${q.raw}" is above 100 % SOC`);
    if (q.kind === 'voltage' && this.isWord(this.peek(), 'pack', 'cell')) {
      q.reference = this.peek()!.text.toLowerCase() as Reference;
      this.i++;
    }
    return q;
  }

  private unit(num: Token, expected: string, isDuration: boolean): Quantity {
    const x = this.finite(num.text, num.text);
    const negative = num.text.startsWith('-');
    const u = this.peek();
    if (u === undefined || this.isWord(u, 'for', 'until', 'or', 'pack', 'cell')) {
      if (isDuration) this.syntax(`duration "${num.text}" has no unit: expected s, min or h (e.g. "for 30 minutes")`);
      this.syntax(`"${num.text}" has no unit: expected ${expected}`);
    }
    this.i++;
    if (u.type === 'pct') {
      if (!this.isWord(this.peek(), 'soc')) this.syntax(`expected "SOC" after "${num.text} %", got ${this.got()}`);
      this.i++;
      if (negative) this.negative(`${num.text} % SOC`);
      return { kind: 'soc', value: x / 100, reference: 'cell', raw: `${num.text} % SOC` };
    }
    const unit = u.type === 'word' ? UNITS.get(u.text.toLowerCase()) : undefined;
    if (unit === undefined) {
      if (this.isWord(u, 'soc')) this.syntax(`SOC needs a percentage: expected "${num.text} % SOC" with 0..100, got "${num.text} ${u.text}"`);
      this.syntax(`unknown unit "${u.text}" in "${num.text} ${u.text}": expected ${expected}`);
    }
    const raw = unit.kind === 'c_rate' ? `${num.text}${u.text}` : `${num.text} ${u.text}`;
    if (negative) this.negative(raw);
    return { kind: unit.kind, value: x * unit.factor, reference: 'cell', raw };
  }

  private finite(numText: string, raw: string): number {
    const x = Number(numText);
    if (!Number.isFinite(x)) this.syntax(`"${raw}" is not a finite number`);
    return x;
  }

  private negative(raw: string): never {
    this.syntax(`negative value "${raw}": give the magnitude; "Charge" or "Discharge" sets the sign`);
  }

  /** Reject steps that cannot end, or limits the step's own control makes meaningless. */
  private checkEnds(control: Control, duration_s: number | null, until: Termination[]): void {
    const bad = (problem: string): never => this.fail(`invalid step "${this.text}": ${problem}`);
    if (control.mode === 'rest') {
      if (duration_s === null) bad('"Rest" needs "for <duration>" (e.g. "Rest for 30 minutes")');
      if (until.length > 0) bad('"Rest" ends only after its duration; drop the "until" limit');
      return;
    }
    if (duration_s === null && until.length === 0) bad('it never ends: add "for <duration>" or "until <limit>"');
    for (const u of until) {
      if (control.mode === 'voltage' && u.kind === 'voltage') {
        bad('a Hold at a voltage cannot end on a voltage; end it on a current (e.g. "until C/20"), SOC or duration');
      }
      if ((control.mode === 'current' || control.mode === 'c_rate') && (u.kind === 'current_A' || u.kind === 'c_rate')) {
        bad('a constant-current step cannot end on a current limit (|I| does not change); use "Hold at <V> until <I>"');
      }
      if (control.mode === 'power' && control.power_W < 0 && (u.kind === 'current_A' || u.kind === 'c_rate')) {
        bad('a constant-power discharge draws more current as the voltage falls, so a current limit cannot end it');
      }
    }
  }
}

/** Parse one step. Errors are `InputError(where.file, where.field, problem)`. */
export function parseStep(text: string, where: Where = DEFAULT_WHERE): Step {
  return new StepParser(text, where).parse();
}

/** Parse a list of steps; step i is reported as field `<where.field>[i]`. */
export function parseSteps(texts: readonly string[], where: Where = DEFAULT_WHERE): Step[] {
  return texts.map((t, i) => parseStep(t, { file: where.file, field: `${where.field}[${i}]` }));
}

/** Read an array of step strings from a JSON configuration (e.g. a scenario's `experiment`). */
export function readSteps(r: Reader): Step[] {
  const items = r.items();
  if (items.length === 0) r.fail('expected at least one step');
  return items.map((item) => parseStep(item.string({ nonEmpty: true }), { file: item.file, field: item.path }));
}

/**
 * The canonical text of a step, in base units (A, W, V, s) and shortest round-trip decimals, so
 * that `parseStep(formatStep(s))` gives back `s` (with `text` set to the formatted string).
 */
export function formatStep(step: Pick<Step, 'control' | 'duration_s' | 'until'>): string {
  const c = step.control;
  let head: string;
  switch (c.mode) {
    case 'rest':
      head = 'Rest';
      break;
    case 'voltage':
      head = `Hold at ${voltage(c.voltage_V, c.reference)}`;
      break;
    case 'current':
      head = `${verbOf(c.current_A)} at ${Math.abs(c.current_A)} A`;
      break;
    case 'c_rate':
      head = `${verbOf(c.c_rate)} at ${Math.abs(c.c_rate)}C`;
      break;
    case 'power':
      head = `${verbOf(c.power_W)} at ${Math.abs(c.power_W)} W`;
      break;
  }
  const parts = [head];
  if (step.duration_s !== null) parts.push(`for ${step.duration_s} s`);
  if (step.until.length > 0) {
    if (step.duration_s !== null) parts.push('or');
    parts.push(`until ${step.until.map(formatTermination).join(' or ')}`);
  }
  return parts.join(' ');
}

function verbOf(signed: number): string {
  return signed > 0 ? 'Charge' : 'Discharge';
}

function voltage(v: number, reference: Reference): string {
  return reference === 'pack' ? `${v} V pack` : `${v} V`;
}

function formatTermination(t: Termination): string {
  switch (t.kind) {
    case 'voltage':
      return voltage(t.voltage_V, t.reference);
    case 'current_A':
      return `${t.current_A} A`;
    case 'c_rate':
      return `${t.c_rate}C`;
    case 'soc':
      return `${percentOf(t.soc)} % SOC`;
  }
}

/** The shortest decimal percentage p with p / 100 === soc (or the plain product if none). */
function percentOf(soc: number): string {
  for (let digits = 1; digits <= 17; digits++) {
    const p = (soc * 100).toPrecision(digits);
    if (Number(p) / 100 === soc) return String(Number(p));
  }
  return String(soc * 100);
}

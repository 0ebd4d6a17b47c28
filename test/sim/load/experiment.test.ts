import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../sim/errors.ts';
import { type Control, type Step, type Termination, formatStep, parseStep, parseSteps, readSteps } from '../../../sim/load/experiment.ts';
import { Reader } from '../../../sim/validate.ts';

const cellV = (voltage_V: number): Termination => ({ kind: 'voltage', voltage_V, reference: 'cell' });

/** Every phrase from the brief, with the Step it must give (text is the phrase itself). */
const PHRASES: [string, Omit<Step, 'text'>][] = [
  ['Discharge at 1C until 2.0 V', { control: { mode: 'c_rate', c_rate: -1 }, duration_s: null, until: [cellV(2)] }],
  ['Charge at 0.5C until 4.0 V', { control: { mode: 'c_rate', c_rate: 0.5 }, duration_s: null, until: [cellV(4)] }],
  ['Charge at C/3 until 4.1 V', { control: { mode: 'c_rate', c_rate: 1 / 3 }, duration_s: null, until: [cellV(4.1)] }],
  [
    'Hold at 4.0 V until C/20',
    { control: { mode: 'voltage', voltage_V: 4, reference: 'cell' }, duration_s: null, until: [{ kind: 'c_rate', c_rate: 1 / 20 }] },
  ],
  [
    'Hold at 4.0 V until 50 mA',
    { control: { mode: 'voltage', voltage_V: 4, reference: 'cell' }, duration_s: null, until: [{ kind: 'current_A', current_A: 50e-3 }] },
  ],
  ['Rest for 30 minutes', { control: { mode: 'rest' }, duration_s: 1800, until: [] }],
  ['Rest for 1 hour', { control: { mode: 'rest' }, duration_s: 3600, until: [] }],
  ['Discharge at 20 kW for 10 minutes', { control: { mode: 'power', power_W: -20_000 }, duration_s: 600, until: [] }],
  ['Charge at 5 W for 2 hours', { control: { mode: 'power', power_W: 5 }, duration_s: 7200, until: [] }],
  ['Discharge at 2 A for 1 hour or until 2.5 V', { control: { mode: 'current', current_A: -2 }, duration_s: 3600, until: [cellV(2.5)] }],
  ['Discharge at 1C until 20 % SOC', { control: { mode: 'c_rate', c_rate: -1 }, duration_s: null, until: [{ kind: 'soc', soc: 0.2 }] }],
  ['Discharge at 1C until 20% SOC', { control: { mode: 'c_rate', c_rate: -1 }, duration_s: null, until: [{ kind: 'soc', soc: 0.2 }] }],
  ['Charge at 1C until 80 % SOC', { control: { mode: 'c_rate', c_rate: 1 }, duration_s: null, until: [{ kind: 'soc', soc: 0.8 }] }],
  [
    'Hold at 410 V pack until C/20',
    { control: { mode: 'voltage', voltage_V: 410, reference: 'pack' }, duration_s: null, until: [{ kind: 'c_rate', c_rate: 0.05 }] },
  ],
  [
    'Discharge at 1C until 250 V pack',
    { control: { mode: 'c_rate', c_rate: -1 }, duration_s: null, until: [{ kind: 'voltage', voltage_V: 250, reference: 'pack' }] },
  ],
];

describe('parseStep: phrases', () => {
  it.each(PHRASES)('should parse "%s"', (text, expected) => {
    expect(parseStep(text)).toEqual({ text, ...expected });
  });

  it.each([
    ['30 s', 30],
    ['30 sec', 30],
    ['1 second', 1],
    ['45 seconds', 45],
    ['5 min', 300],
    ['1 minute', 60],
    ['2 mins', 120],
    ['1 h', 3600],
    ['1.5 hours', 5400],
    ['2 hr', 7200],
    ['90s', 90],
    ['10min', 600],
  ])('should read the duration "%s" as %d s', (d, seconds) => {
    expect(parseStep(`Rest for ${d}`).duration_s).toBeCloseTo(seconds, 9);
  });

  it.each<[string, Control]>([
    ['Discharge at 500 mA for 1 h', { mode: 'current', current_A: -0.5 }],
    ['Charge at 3 A for 1 h', { mode: 'current', current_A: 3 }],
    ['Charge at 2 C for 1 h', { mode: 'c_rate', c_rate: 2 }],
    ['Discharge at C/2 for 1 h', { mode: 'c_rate', c_rate: -0.5 }],
    ['Discharge at 1.5 kW for 1 h', { mode: 'power', power_W: -1500 }],
    ['Charge at 250 W for 1 h', { mode: 'power', power_W: 250 }],
    ['Hold at 4100 mV for 1 h', { mode: 'voltage', voltage_V: 4.1, reference: 'cell' }],
    ['Hold at 4.1 V cell for 1 h', { mode: 'voltage', voltage_V: 4.1, reference: 'cell' }],
  ])('should read the control of "%s"', (text, control) => {
    const got = parseStep(text).control;
    expect(got.mode).toBe(control.mode);
    for (const [k, v] of Object.entries(control)) {
      const g = (got as Record<string, unknown>)[k];
      if (typeof v === 'number') expect(g).toBeCloseTo(v, 12);
      else expect(g).toBe(v);
    }
  });

  it('should ignore case and extra spaces', () => {
    const step = parseStep('   dischARGE   AT  2   a   FOR 1   HOUR   or UNTIL   2.5v  PACK ');
    expect(step.control).toEqual({ mode: 'current', current_A: -2 });
    expect(step.duration_s).toBe(3600);
    expect(step.until).toEqual([{ kind: 'voltage', voltage_V: 2.5, reference: 'pack' }]);
  });

  it('should accept several limits joined by "or"', () => {
    expect(parseStep('Charge at 1C until 4.1 V or 80 % SOC').until).toEqual([cellV(4.1), { kind: 'soc', soc: 0.8 }]);
    expect(parseStep('Hold at 4.1 V for 2 h or until C/50 or until 95 % SOC').until).toEqual([
      { kind: 'c_rate', c_rate: 1 / 50 },
      { kind: 'soc', soc: 0.95 },
    ]);
  });

  it('should accept current limits on power steps and SOC limits on holds', () => {
    expect(parseStep('Charge at 5 W until 50 mA').until).toEqual([{ kind: 'current_A', current_A: 0.05 }]);
    expect(parseStep('Hold at 4.0 V until 95 % SOC').until).toEqual([{ kind: 'soc', soc: 0.95 }]);
  });
});

describe('parseStep: errors', () => {
  /** [step, fragments the problem text must contain]. */
  const BAD: [string, string[]][] = [
    ['Dischrge at 1C', ['cannot parse "Dischrge at 1C": expected "Discharge|Charge|Hold|Rest ..."']],
    ['', ['empty step', 'Discharge|Charge|Hold|Rest']],
    ['Discharge 1C until 2 V', ['expected "at"', 'after "Discharge"']],
    ['Discharge at 1 X until 2 V', ['unknown unit "X"', 'A, mA', 'C/n', 'W, kW']],
    ['Discharge at 1 V until 2 V', ['expected a current (A, mA), C-rate (C, C/n) or power (W, kW), got "1 V"']],
    ['Discharge at until 2 V', ['missing value after "at"']],
    ['Discharge at', ['missing value after "at"']],
    ['Discharge at C until 2 V', ['missing value before "C"']],
    ['Discharge at 2 until 2 V', ['"2" has no unit']],
    ['Hold until C/20', ['"Hold" needs "at <voltage> V"', 'got "until"']],
    ['Hold at 1C until C/20', ['"Hold" needs "at <voltage> V"', 'got "1C"']],
    ['Hold at 4.0 until C/20', ['"4.0" has no unit', 'V, mV']],
    ['Discharge at -1C until 2 V', ['negative value "-1C"', 'sets the sign']],
    ['Charge at C/-3 until 4 V', ['negative value "C/-3"']],
    ['Discharge at 1C until -20 % SOC', ['negative value "-20 % SOC"']],
    ['Charge at 0 A for 1 h', ['"0 A" must be greater than zero']],
    ['Charge at C/0 until 4 V', ['"C/0" divides by zero']],
    ['Rest for 30', ['duration "30" has no unit', 's, min or h']],
    ['Rest for 30 V', ['expected a duration (s, min, h), got "30 V"']],
    ['Rest for 0 s', ['"0 s" must be greater than zero']],
    ['Rest', ['"Rest" needs "for <duration>"']],
    ['Rest for 1 hour or until 3 V', ['"Rest" ends only after its duration']],
    ['Discharge at 1C', ['never ends', '"for <duration>" or "until <limit>"']],
    ['Hold at 4 V until 3 V', ['a Hold at a voltage cannot end on a voltage']],
    ['Discharge at 1C until C/20', ['constant-current step cannot end on a current limit']],
    ['Charge at 2 A until 50 mA', ['constant-current step cannot end on a current limit']],
    ['Discharge at 20 kW until 50 A', ['constant-power discharge draws more current']],
    ['Discharge at 1C until 120 % SOC', ['"120 % SOC" is above 100 % SOC']],
    ['Discharge at 1C until 20 SOC', ['SOC needs a percentage', '"20 % SOC"']],
    ['Discharge at 1C until 20 %', ['expected "SOC" after "20 %"']],
    ['Discharge at 1C until 1 hour', ['a duration goes in "for 1 hour"']],
    ['Discharge at 1C for 1 h for 2 h', ['"for <duration>" given twice']],
    ['Discharge at 1C until 2 V xyz', ['expected "for <duration>" or "until <limit>", got "xyz"']],
    ['Discharge at 1C or until 2 V', ['got "or"']],
    ['Discharge at 1e999 A for 1 h', ['"1e999" is not a finite number']],
  ];

  it.each(BAD)('should reject "%s" with a precise message', (text, fragments) => {
    let caught: unknown;
    try {
      parseStep(text, { file: 'scenario.json', field: 'experiment[3]' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    const err = caught as InputError;
    expect(err.file).toBe('scenario.json');
    expect(err.field).toBe('experiment[3]');
    expect(err.problem).toContain(`"${text}"`);
    for (const f of fragments) expect(err.problem).toContain(f);
    expect(err.message).toBe(`scenario.json: experiment[3]: ${err.problem}`);
    expect(err.message).not.toContain('\n');
  });
});

describe('parseSteps and readSteps', () => {
  it('should parse a list and name the bad item by index', () => {
    const steps = parseSteps(['Charge at 1C until 4.1 V', 'Rest for 10 min'], { file: 'f.json', field: 'experiment' });
    expect(steps.map((s) => s.control.mode)).toEqual(['c_rate', 'rest']);
    expect(() => parseSteps(['Rest for 1 h', 'Rest'], { file: 'f.json', field: 'experiment' })).toThrow(/^f\.json: experiment\[1\]: invalid step "Rest"/);
  });

  it('should read steps from a JSON array and reject non-strings and empty lists', () => {
    const r = new Reader('s.json', { experiment: ['Discharge at 1C until 2.0 V', 'Rest for 1 hour'] });
    expect(readSteps(r.get('experiment')).map((s) => s.duration_s)).toEqual([null, 3600]);
    expect(() => readSteps(new Reader('s.json', { e: ['Rest for 1 h', 5] }).get('e'))).toThrow('s.json: e[1]: expected a string, got 5');
    expect(() => readSteps(new Reader('s.json', { e: ['Dischrge at 1C'] }).get('e'))).toThrow(/^s\.json: e\[0\]: cannot parse/);
    expect(() => readSteps(new Reader('s.json', { e: [] }).get('e'))).toThrow('s.json: e: expected at least one step');
  });
});

// Arbitraries: magnitudes cover plain and exponent notation (String(1e-9) = "1e-9", String(2e21) = "2e+21").
const magnitude = fc.double({ min: 1e-9, max: 1e22, noNaN: true, noDefaultInfinity: true });
const reference = fc.constantFrom<'cell' | 'pack'>('cell', 'pack');
const control: fc.Arbitrary<Control> = fc.oneof(
  fc.record({ x: magnitude, charge: fc.boolean() }).map(({ x, charge }): Control => ({ mode: 'current', current_A: charge ? x : -x })),
  fc.record({ x: magnitude, charge: fc.boolean() }).map(({ x, charge }): Control => ({ mode: 'c_rate', c_rate: charge ? x : -x })),
  fc.record({ x: magnitude, charge: fc.boolean() }).map(({ x, charge }): Control => ({ mode: 'power', power_W: charge ? x : -x })),
  fc.record({ x: magnitude, reference }).map(({ x, reference }): Control => ({ mode: 'voltage', voltage_V: x, reference })),
  fc.constant<Control>({ mode: 'rest' }),
);
const termination: fc.Arbitrary<Termination> = fc.oneof(
  fc.record({ x: magnitude, reference }).map(({ x, reference }): Termination => ({ kind: 'voltage', voltage_V: x, reference })),
  magnitude.map((x): Termination => ({ kind: 'current_A', current_A: x })),
  magnitude.map((x): Termination => ({ kind: 'c_rate', c_rate: x })),
  // SOC as a percentage with two decimals, the precision a user writes
  fc.integer({ min: 0, max: 10_000 }).map((k): Termination => ({ kind: 'soc', soc: k / 100 / 100 })),
);

/** Limits each control accepts (the parser rejects the others). */
function allowed(c: Control, t: Termination): boolean {
  if (c.mode === 'rest') return false;
  if (c.mode === 'voltage') return t.kind !== 'voltage';
  if (c.mode === 'current' || c.mode === 'c_rate') return t.kind === 'voltage' || t.kind === 'soc';
  return c.power_W > 0 || t.kind === 'voltage' || t.kind === 'soc';
}

const validStep: fc.Arbitrary<Omit<Step, 'text'>> = fc
  .record({
    control,
    duration_s: fc.option(magnitude, { nil: null }),
    fallback_s: magnitude,
    terms: fc.array(termination, { maxLength: 3 }),
  })
  .map(({ control, duration_s, fallback_s, terms }) => {
    const until = terms.filter((t) => allowed(control, t));
    const needsDuration = control.mode === 'rest' || until.length === 0;
    return { control, duration_s: duration_s ?? (needsDuration ? fallback_s : null), until };
  });

describe('formatStep', () => {
  it.each([
    ['Charge at C/4 until 4.1 V or 7 % SOC', 'Charge at 0.25C until 4.1 V or 7 % SOC'],
    ['Discharge at 20 kW for 10 minutes or until 250 V pack', 'Discharge at 20000 W for 600 s or until 250 V pack'],
    ['hold at 4100 mV until 50 mA', 'Hold at 4.1 V until 0.05 A'],
    ['Rest for 1.5 h', 'Rest for 5400 s'],
    ['Discharge at 2 A until 33.3 % SOC', 'Discharge at 2 A until 33.3 % SOC'],
  ])('should write "%s" as "%s"', (text, canonical) => {
    expect(formatStep(parseStep(text))).toBe(canonical);
  });
});

describe('parseStep: properties', () => {
  // for all valid steps s / such that text = formatStep(s) / parseStep(text) equals s with that text
  it('should give back the same step after formatting it', () => {
    fc.assert(
      fc.property(validStep, (step) => {
        const text = formatStep(step);
        expect(parseStep(text)).toEqual({ text, ...step });
      }),
    );
  });

  // for all valid steps and any re-casing and extra spacing of their text / parsing holds the same step
  it('should not depend on case or spacing', () => {
    fc.assert(
      fc.property(
        validStep,
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 32, maxLength: 32 }),
        (step, upper, gaps) => {
          const text = formatStep(step);
          const words = text.split(' ');
          const spaced = ' '.repeat(gaps[0]! - 1) + words.map((w, i) => w + ' '.repeat(gaps[(i + 1) % gaps.length]!)).join('');
          const messy = [...spaced].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
          const { text: _ignored, ...got } = parseStep(messy);
          expect(got).toEqual(step);
        },
      ),
    );
  });
});

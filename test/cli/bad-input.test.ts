/**
 * The bad-input table (issue 11): each row runs the real CLI (node bin/natrium.js) on one careless
 * or hostile input and checks the exit code (2 bad input, 3 a cell left the validity envelope),
 * exactly one line on stderr that says what is wrong, nothing on stdout, and no output file left
 * behind. Rows run two at a time (each is ~0.5 s of start-up); the fixtures live in one temporary
 * folder that is removed at the end.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function natrium(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const opts = { cwd, env: { ...process.env, NATRIUM_DEBUG: '' }, timeout: 60_000 };
    execFile(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], opts, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs jobs with at most `limit` at a time (the machine has few cores). */
async function pool<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'natrium-bad-input-'));
const f = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = {
  name: 'tiny',
  chemistry: 'naion-18650-layered',
  pack: { ns: 2, np: 1 },
  ambient: { constant_C: 25 },
  initial: { soc: 0.5 },
  steps: ['Discharge at 1C for 10 s', 'Rest for 5 s'],
};
const scenario = (name: string, over: Record<string, unknown>) => {
  writeFileSync(f(name), JSON.stringify({ ...TINY, ...over }));
  return f(name);
};
const CHEM = JSON.parse(readFileSync(join(ROOT, 'sim/chemistry/naion-18650-layered.json'), 'utf8')) as Record<string, unknown>;
const chemistry = (name: string, over: (c: Record<string, unknown>) => void) => {
  const c = structuredClone(CHEM);
  over(c);
  writeFileSync(f(name), JSON.stringify(c));
  return f(name);
};
const profile = (name: string, rows: string) => {
  writeFileSync(f(name), `time_s,current_A\n${rows}`);
  return f(name);
};

interface Row {
  what: string;
  args: () => string[];
  code: 2 | 3;
  /** What the one stderr line must say (after "natrium: "). */
  says: RegExp;
  /** A file the run must not leave behind. */
  noFile?: string;
  /** Run in the fixture folder instead of the repository. */
  inFixtures?: boolean;
}

const cell = (...more: string[]) => [
  'sim',
  'cell',
  '--chemistry',
  'naion-18650-layered',
  '--current',
  f('ok.csv'),
  '--dt',
  '1',
  '--out',
  f('cell.csv'),
  ...more,
];
const sim = (...more: string[]) => ['sim', f('tiny.json'), ...more];

const ROWS: Row[] = [
  // options: negative numbers reach the validation (no "ambiguous"), bad numbers name the option
  {
    what: 'a temperature far below the envelope',
    args: () => cell('--temperature', '-200'),
    code: 2,
    says: /^--temperature: -200 is outside the validity envelope of naion-18650-layered \(temperature -40…80 °C\)/,
  },
  {
    what: 'a negative SOC beyond the margin',
    args: () => cell('--soc', '-0.5'),
    code: 2,
    says: /^--soc: -0\.5 is outside the validity envelope .*SOC -0\.05…1\.05/,
  },
  { what: 'a negative step', args: () => cell('--dt', '-1'), code: 2, says: /^--dt: must be >= 0\.001, got -1/ },
  { what: 'an ambient of -1e6 °C', args: () => cell('--ambient', '-1e6'), code: 2, says: /^--ambient: -1000000 is outside the validity envelope/ },
  { what: '--soc 5', args: () => cell('--soc', '5'), code: 2, says: /^--soc: 5 is outside the validity envelope/ },
  { what: '--ambient 1e6', args: () => cell('--ambient', '1e6'), code: 2, says: /^--ambient: 1000000 is outside the validity envelope/ },
  { what: 'a step of 1e-300 s', args: () => cell('--dt=1e-300'), code: 2, says: /^--dt: must be >= 0\.001, got 1e-300/ },
  { what: 'a step that is not a number', args: () => cell('--dt', 'abc'), code: 2, says: /^--dt: expected a number, got "abc"/ },
  { what: 'a NaN SOC', args: () => cell('--soc', 'NaN'), code: 2, says: /^--soc: expected a number, got "NaN"/ },
  { what: 'a capacity of 0', args: () => cell('--capacity', '0'), code: 2, says: /^--capacity: must be >= 0\.75, got 0/ },
  { what: 'a capacity far above the chemistry (1e9 Ah)', args: () => cell('--capacity', '1e9'), code: 2, says: /^--capacity: must be <= 3, got 1000000000/ },
  { what: 'a hysteresis state of 2', args: () => cell('--hysteresis', '2'), code: 2, says: /^--hysteresis: must be <= 1, got 2/ },
  {
    what: 'a hysteresis state that is no word',
    args: () => cell('--hysteresis', 'sideways'),
    code: 2,
    says: /^--hysteresis: expected charge, discharge or a number from -1 to 1, got "sideways"/,
  },
  { what: 'a negative capacity', args: () => cell('--capacity', '-1.5'), code: 2, says: /^--capacity: must be >= 0\.75, got -1\.5/ },
  { what: 'a capacity that is not a number', args: () => cell('--capacity', '1.5Ah'), code: 2, says: /^--capacity: expected a number, got "1\.5Ah"/ },
  {
    what: 'a cell run over --max-rows',
    args: () => cell('--max-rows', '10'),
    code: 2,
    says: /^--max-rows: the run would write 3601 rows, more than 10/,
    noFile: 'cell.csv',
  },
  {
    what: 'a missing --chemistry',
    args: () => ['sim', 'cell', '--current', f('ok.csv'), '--dt', '1', '--out', f('cell.csv')],
    code: 2,
    says: /^missing --chemistry/,
  },
  { what: 'an unknown option', args: () => cell('--bogus'), code: 2, says: /^unknown option --bogus \(natrium sim --help\)/ },
  { what: 'an option without its value', args: () => ['sim', 'cell', '--dt'], code: 2, says: /--dt/ },
  { what: '--every 0', args: () => sim('--every', '0'), code: 2, says: /^--every: must be >= 1, got 0/ },
  { what: '--every 2.5', args: () => sim('--every', '2.5'), code: 2, says: /^--every: expected a whole number, got "2\.5"/ },
  { what: '--cells some', args: () => sim('--cells', 'some'), code: 2, says: /^--cells: expected all or min-max, got "some"/ },
  { what: 'a negative duration', args: () => sim('--duration', '-5'), code: 2, says: /^--duration: must be > 0, got -5/ },
  { what: 'a duration of 1e12 s', args: () => sim('--duration', '1e12'), code: 2, says: /^--duration: must be <= 100000000, got 1000000000000/ },
  {
    what: 'a trace over --max-rows',
    args: () => sim('--duration', '1000', '--out', f('t.csv'), '--max-rows', '100'),
    code: 2,
    says: /^--max-rows: the run would write 1000 rows, more than 100/,
    noFile: 't.csv',
  },
  {
    what: 'a trace of a run of unknown length over --max-rows',
    args: () => sim('--out', f('t2.csv'), '--max-rows', '5'),
    code: 2,
    says: /t2\.csv: \(output\): more than --max-rows 5 rows: raise --max-rows or record fewer \(--every N\)$/,
    noFile: 't2.csv',
  },
  { what: 'no scenario', args: () => ['sim'], code: 2, says: /^expected one SCENARIO, got 0/ },
  { what: 'two scenarios', args: () => ['sim', 'default', 'default'], code: 2, says: /^expected one SCENARIO, got 2/ },
  { what: 'an unknown command', args: () => ['simulate'], code: 2, says: /^unknown command "simulate"/ },
  { what: 'help for an unknown command', args: () => ['help', 'simulate'], code: 2, says: /^unknown command "simulate"/ },
  // input files
  { what: 'sim /dev/zero', args: () => ['sim', '/dev/zero'], code: 2, says: /^\/dev\/zero: \(file\): more than the 67108864-byte limit for input files/ },
  {
    what: 'a file over the size limit',
    args: () => ['sim', f('huge.json')],
    code: 2,
    says: /huge\.json: \(file\): 67108865 bytes, larger than the 67108864-byte limit/,
  },
  { what: 'a folder as the scenario', args: () => ['sim', dir], code: 2, says: /: \(file\): is a directory, expected a file$/ },
  { what: 'a missing scenario file', args: () => ['sim', f('missing.json')], code: 2, says: /missing\.json: \(file\): no such file$/ },
  {
    what: 'a NaN literal',
    args: () => ['sim', f('nan.json')],
    code: 2,
    says: /nan\.json: \(syntax\): not valid JSON: Unexpected token 'N' \(NaN and Infinity are not JSON numbers\)$/,
  },
  { what: 'a scenario cut short', args: () => ['sim', f('cut.json')], code: 2, says: /cut\.json: \(syntax\): not valid JSON/ },
  {
    what: 'a NaN in a current profile',
    args: () => ['sim', 'cell', '--chemistry', 'naion-18650-layered', '--current', f('nan.csv'), '--dt', '1', '--out', f('cell.csv')],
    code: 2,
    says: /nan\.csv: line 3, column 2 \(current_A\): not a number: "NaN"/,
    noFile: 'cell.csv',
  },
  {
    what: 'a chemistry without an envelope',
    args: () => ['sim', 'cell', '--chemistry', f('noenv.json'), '--current', f('ok.csv'), '--dt', '1', '--out', f('cell.csv')],
    code: 2,
    says: /noenv\.json: envelope: missing/,
  },
  {
    what: 'an envelope inside the window',
    args: () => ['sim', 'cell', '--chemistry', f('tightenv.json'), '--current', f('ok.csv'), '--dt', '1', '--out', f('cell.csv')],
    code: 2,
    says: /tightenv\.json: envelope\.voltage_V\.max: must be >= 4\.1, got 4/,
  },
  // scenarios that could never end, or end only far outside the model
  {
    what: 'a charge until 40 V',
    args: () => ['sim', f('40v.json')],
    code: 2,
    says: /40v\.json: steps\[0\]: end voltage 40 V is outside naion-18650-layered's window 1\.5…4\.1 V/,
  },
  { what: 'a discharge until 0.5 V', args: () => ['sim', f('05v.json')], code: 2, says: /05v\.json: steps\[0\]: end voltage 0\.5 V is outside/ },
  { what: 'a hold at 5 V', args: () => ['sim', f('hold5.json')], code: 2, says: /hold5\.json: steps\[0\]: hold voltage 5 V is outside/ },
  {
    what: 'a pack voltage out of reach',
    args: () => ['sim', f('pack.json')],
    code: 2,
    says: /pack\.json: steps\[0\]: end voltage 100 V is outside the pack's reach \(2 × 1\.5…4\.1 V = 3…8\.2 V\)/,
  },
  {
    what: 'a drive until a voltage out of reach',
    args: () => ['sim', f('drive.json')],
    code: 2,
    says: /drive\.json: steps\[0\]: end voltage 0\.1 V is outside/,
  },
  { what: 'a scenario step of 1e-300 s', args: () => ['sim', f('dt.json')], code: 2, says: /dt\.json: dt_s: must be >= 0\.001, got 1e-300/ },
  { what: 'a scenario of 1e12 s', args: () => ['sim', f('long.json')], code: 2, says: /long\.json: duration_s: must be <= 100000000, got 1000000000000/ },
  {
    what: 'a capture of 1e12 s (ran on, filling the disk, before)',
    args: () => ['capture', f('tiny.json'), '--duration', '1e12', '--out', f('long.nat')],
    code: 2,
    says: /^--duration: must be <= \d+, got 1000000000000/,
    noFile: 'long.nat',
  },
  {
    what: 'a rest of 1e12 s',
    args: () => ['sim', f('rest.json')],
    code: 2,
    says: /rest\.json: steps\[0\]: duration 1000000000000 s is more than 100000000 steps of dt_s/,
  },
  { what: 'a start at 90 °C', args: () => ['sim', f('hot.json')], code: 2, says: /hot\.json: initial\.temperature_C: 90 is outside the validity envelope/ },
  { what: 'an existing file without .json', args: () => ['sim', 'myrun'], inFixtures: true, code: 2, says: /^myrun: steps\[0\]: end voltage 40 V/ },
  // outputs
  { what: 'a trace to /dev/full', args: () => sim('--out', '/dev/full'), code: 2, says: /^\/dev\/full: \(output\): cannot write: ENOSPC$/ },
  { what: 'a trace into a missing folder', args: () => sim('--out', f('no/such/t.csv')), code: 2, says: /t\.csv: \(output\): cannot write: ENOENT$/ },
  {
    what: 'a capture to /dev/full',
    args: () => ['capture', f('tiny.json'), '--out', '/dev/full'],
    code: 2,
    says: /^\/dev\/full: \(file\): cannot write: ENOSPC$/,
  },
  {
    what: 'a record onto an existing capture',
    args: () => ['stream', '--port', f('no-port'), '--record', f('old.bin')],
    code: 2,
    says: /^--record .*old\.bin: a capture is already there \(3 bytes\): --append to add to it, --force to replace it/,
  },
  {
    what: '--append with --force',
    args: () => ['stream', '--port', f('no-port'), '--record', f('old.bin'), '--append', '--force'],
    code: 2,
    says: /^give one of --append and --force/,
  },
  {
    what: 'a port that is not there (stream)',
    args: () => ['stream', '--port', f('no-port'), '--duration', '1'],
    code: 2,
    says: /^--port .*no-port: No such file or directory/,
  },
  {
    what: 'a port that is not there (emulate)',
    args: () => ['emulate', '--port', f('no-port'), '--duration', '1'],
    code: 2,
    says: /^--port .*no-port: No such file or directory/,
  },
  { what: 'analyze /dev/zero', args: () => ['analyze', '/dev/zero'], code: 2, says: /^\/dev\/zero: \(file\): no natrium frames in the first 16777216 bytes/ },
  // natrium cut: a trace, no window or one upside down, the piece over its input or into a folder
  {
    what: 'cut of a sim trace',
    args: () => ['cut', f('trace-ok.csv'), '--to', '5', '--out', f('piece.bin')],
    code: 2,
    says: /trace-ok\.csv: \(file\): is a natrium sim trace, not a capture: cut takes captures/,
    noFile: 'piece.bin',
  },
  {
    what: 'cut without --from or --to',
    args: () => ['cut', f('notcap.bin'), '--out', f('piece.bin')],
    code: 2,
    says: /^give --from, --to or both/,
    noFile: 'piece.bin',
  },
  {
    what: 'cut with --to before --from',
    args: () => ['cut', f('notcap.bin'), '--from', '10', '--to', '5', '--out', f('piece.bin')],
    code: 2,
    says: /^--to \(5\) must be after --from \(10\)/,
    noFile: 'piece.bin',
  },
  {
    what: 'cut --from that is no number',
    args: () => ['cut', f('notcap.bin'), '--from', '1h', '--out', f('piece.bin')],
    code: 2,
    says: /^--from: expected a number, got "1h"/,
    noFile: 'piece.bin',
  },
  {
    what: 'cut over its own input',
    args: () => ['cut', f('notcap.bin'), '--to', '5', '--out', f('notcap.bin')],
    code: 2,
    says: /notcap\.bin: \(file\): is the input capture .*notcap\.bin: write the piece to another file/,
  },
  { what: 'cut into a folder', args: () => ['cut', f('notcap.bin'), '--to', '5', '--out', dir], code: 2, says: /: \(file\): is a directory/ },
  {
    what: 'cut of /dev/zero',
    args: () => ['cut', '/dev/zero', '--to', '5', '--out', f('piece.bin')],
    code: 2,
    says: /^\/dev\/zero: \(file\): no natrium frames in the first 16777216 bytes/,
    noFile: 'piece.bin',
  },
  // the README walk (a fresh user's typos): each of these ran on, or said too little, before
  {
    what: 'a scenario name with a typo',
    args: () => ['sim', 'defualt'],
    code: 2,
    says: /^sim\/scenarios\/defualt\.json: \(file\): no such file \(natrium scenarios lists the library; or give a path\)$/,
  },
  {
    what: "analyze of another BMS tool's CSV export (said 'not a capture or a natrium trace?' before)",
    args: () => ['analyze', f('bms-app.csv')],
    code: 2,
    says: /bms-app\.csv: \(file\): no natrium frames in 72 bytes \(text, not a natrium trace: its first line is "Date,Voltage\(V\),Current\(A\),SOC\(%\)" where a trace's starts with "# natrium-trace\/" or "time_s,"\)$/,
  },
  {
    what: 'decode of a file that is no capture (exit 0 before)',
    args: () => ['decode', f('notcap.bin')],
    code: 2,
    says: /notcap\.bin: \(file\): no natrium frames in 1707 bytes \(not a capture\?/,
  },
  {
    what: 'export --date that is no day (written as date=2026-02-30 before)',
    args: () => ['export', f('trace-ok.csv'), '--format', 'csv', '--out', f('ds'), '--date', '2026-02-30'],
    code: 2,
    says: /^--date: 2026-02-30 is not a day of the calendar/,
    noFile: 'ds',
  },
  {
    what: 'export into /proc (hung before: Node 20 recursive mkdir spins there)',
    args: () => ['export', f('trace-ok.csv'), '--format', 'csv', '--out', '/proc/natrium-no-such/ds'],
    code: 2,
    says: /^\/proc\/natrium-no-such\/ds\/.*: \(output\): cannot create \(ENOENT\)$/,
  },
  {
    what: 'export under a file',
    args: () => ['export', f('trace-ok.csv'), '--format', 'csv', '--out', f('ok.csv/ds')],
    code: 2,
    says: /ok\.csv\/ds\/.*: \(output\): .*ok\.csv is not a directory$/,
  },
  {
    what: 'demo into /proc (hung before)',
    args: () => ['demo', '--out', '/proc/natrium-no-such'],
    code: 2,
    says: /^\/proc\/natrium-no-such: \(output\): cannot create \(ENOENT\)$/,
  },
  {
    what: 'fleet --date that is no day (written as date=2026-13-01 before)',
    args: () => ['fleet', f('trace-ok.csv'), '--out', f('fds'), '--date', '2026-13-01'],
    code: 2,
    says: /^--date: 2026-13-01 is not a day of the calendar/,
    noFile: 'fds',
  },
  {
    what: 'fleet --out \'\' (blamed the inputs before: "no captures or traces")',
    args: () => ['fleet', f('trace-ok.csv'), '--out', ''],
    code: 2,
    says: /^--out: "": an empty path \(give a folder\)$/,
  },
  {
    what: 'diff --tolerance on a misspelt channel (ignored before: the channel stayed exact)',
    args: () => ['diff', f('trace-ok.csv'), f('trace-ok.csv'), '--tolerance', 'curent_A=0.5'],
    code: 2,
    says: /^--tolerance: no channel "curent_A" in the inputs \(channels: .*current_A/,
  },
  {
    what: 'resim --tolerance on a channel resim does not compare (ignored before)',
    args: () => ['resim', f('notcap.bin'), '--tolerance', 'sco=0.01'],
    code: 2,
    says: /^--tolerance: no channel "sco" in what resim compares \(channels: state, faultMask, soc, /,
  },
  // runs that leave the validity envelope: exit 3, one line naming cell, quantity, value, limit
  {
    what: 'a discharge at 1000C',
    args: () => ['sim', f('1000c.json')],
    code: 3,
    says: /^cell 1 \(group 1, position 1\): current -1500 A beyond the validity envelope of naion-18650-layered \(limit -9 A\) at t = 0 s \(--allow-abuse runs on\)$/,
  },
  {
    what: 'a 1e30 A profile',
    args: () => ['sim', 'cell', '--chemistry', 'naion-18650-layered', '--current', f('huge-current.csv'), '--dt', '1', '--out', f('cell.csv')],
    code: 3,
    says: /^cell 1: current 1e\+30 A beyond the validity envelope .*\(limit 9 A\) at t = 0 s/,
    noFile: 'cell.csv',
  },
  {
    what: 'a cell run far past empty',
    args: () => cell('--soc', '0.3'),
    code: 3,
    says: /^cell 1: SOC -0\.05\d+ below the validity envelope of naion-18650-layered \(limit -0\.05\) at t = 12\d\d s/,
    noFile: 'cell.csv',
  },
  {
    what: 'a waiver file of binary bytes (its bytes reached the terminal before: an escape sequence clears the screen)',
    args: () => ['analyze', f('trace-ok.csv'), '--waivers', f('esc.json')],
    code: 2,
    says: /esc\.json: \(file\): not valid JSON: Unexpected token '\\x1b'$/,
  },
  {
    what: 'a profile file that is not JSON',
    args: () => ['analyze', f('trace-ok.csv'), '--profile', f('esc.json')],
    code: 2,
    says: /esc\.json: \(file\): not valid JSON: Unexpected token '\\x1b'$/,
  },
  {
    what: 'a trace of a run that leaves the envelope',
    args: () => ['sim', f('1000c.json'), '--out', f('abuse.csv')],
    code: 3,
    says: /current -1500 A beyond/,
    noFile: 'abuse.csv',
  },
];

const runs: Run[] = [];

beforeAll(async () => {
  writeFileSync(f('tiny.json'), JSON.stringify(TINY));
  profile('ok.csv', '0,-1.5\n3600,-1.5\n');
  profile('nan.csv', '0,-1.5\n10,NaN\n');
  profile('huge-current.csv', '0,1e30\n10,0\n');
  writeFileSync(f('nan.json'), '{\n  "name": "x",\n  "seed": NaN\n}\n');
  writeFileSync(f('cut.json'), '{\n  "name": "x",\n  "steps": [\n');
  writeFileSync(f('huge.json'), '');
  truncateSync(f('huge.json'), 64 * 1024 * 1024 + 1); // sparse: no disk space used
  writeFileSync(f('old.bin'), 'abc');
  writeFileSync(f('esc.json'), Uint8Array.of(0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0x0a, 0x7b)); // ESC [2J: clear the screen
  chemistry('noenv.json', (c) => delete c.envelope);
  chemistry('tightenv.json', (c) => ((c.envelope as { voltage_V: { max: number } }).voltage_V.max = 4));
  scenario('40v.json', { steps: ['Charge at 1C until 40 V'] });
  writeFileSync(f('myrun'), readFileSync(f('40v.json')));
  scenario('05v.json', { steps: ['Discharge at 1C until 0.5 V'] });
  scenario('hold5.json', { steps: ['Hold at 5 V until C/20'] });
  scenario('pack.json', { steps: ['Charge at 1C until 100 V pack'] });
  scenario('drive.json', { vehicle: 'scooter', steps: [{ drive: 'idc-2w3w', until: '0.1 V' }] });
  scenario('dt.json', { dt_s: 1e-300 });
  scenario('long.json', { duration_s: 1e12 });
  scenario('rest.json', { steps: ['Rest for 1000000000000 s'] });
  scenario('hot.json', { initial: { soc: 0.5, temperature_C: 90 } });
  scenario('1000c.json', { steps: ['Discharge at 1000C for 10 s'] });
  writeFileSync(f('bms-app.csv'), '\uFEFFDate,Voltage(V),Current(A),SOC(%)\r\n2026-01-01 10:00:00,52.1,-3.2,88\r\n'); // another tool's CSV export
  writeFileSync(f('notcap.bin'), `time_s,current_A\n${Array.from({ length: 300 }, (_, i) => `${i},1\n`).join('')}`); // 1707 bytes, no 0x00
  const trace = await natrium(['sim', f('tiny.json'), '--out', f('trace-ok.csv')]);
  if (trace.code !== 0) throw new Error(`sim tiny.json: ${trace.stderr}`);
  const results = await pool(ROWS, 2, (r) => natrium(r.args(), r.inFixtures ? dir : ROOT));
  runs.push(...results);
}, 300_000);

describe('bad input: one line, the right exit code, no partial output', () => {
  it('should have at least 40 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS.map((r, i) => [r.what, i] as const))('%s', (_what, i) => {
    const row = ROWS[i]!;
    const r = runs[i]!;
    expect(r.stderr).toMatch(/^natrium: [^\n]+\n$/);
    expect(r.stderr.slice('natrium: '.length).trimEnd()).toMatch(row.says);
    expect(r.code).toBe(row.code);
    expect(r.stdout).toBe('');
    if (row.noFile) expect(existsSync(f(row.noFile))).toBe(false);
  });

  it('should leave /dev/full a device after writing to it failed', () => {
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

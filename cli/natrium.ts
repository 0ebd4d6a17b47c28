#!/usr/bin/env node
/**
 * natrium: one command for the simulator, the protocol tools and the analyser.
 * A thin layer: parse arguments, call the parts, print. Bad input prints one line
 * `natrium: FILE: FIELD: PROBLEM` and exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { isAbuseError, isInputError } from '../sim/errors.ts';
import { UsageError } from './args.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  demo: { summary: 'the whole chain: emulated BMS → mock serial port → live decode → analyser → report (npm start)', load: () => import('./demo.ts') },
  sim: { summary: 'run a scenario (or one cell on a current profile) and summarise it', load: () => import('./sim.ts') },
  scenarios: { summary: 'list the scenario library', load: () => import('./scenarios.ts') },
  capture: { summary: 'run a scenario in the emulated BMS as fast as possible into a capture file', load: () => import('./capture.ts') },
  emulate: { summary: 'run the emulated BMS as a serial device (real port, pty or in-process mock)', load: () => import('./emulate.ts') },
  stream: { summary: 'live decode of a BMS on a serial port, status line, raw capture', load: () => import('./stream.ts') },
  replay: { summary: 're-emit a capture file on a serial port with its device timing', load: () => import('./replay.ts') },
  analyze: { summary: 'check a capture or sim trace: data quality, limits, BMS reactions, SOC, thermal; report', load: () => import('./analyze.ts') },
  view: { summary: 'serve the browser viewer and named captures/traces/reports on 127.0.0.1', load: () => import('./view.ts') },
  export: { summary: 'write captures or traces as a partitioned Parquet/CSV/BDF dataset', load: () => import('./export.ts') },
  fleet: { summary: 'analyse many captures in parallel into a partitioned dataset with a fleet report', load: () => import('./fleet.ts') },
  query: { summary: 'SQL over an exported dataset, in process (DuckDB)', load: () => import('./query.ts') },
  diff: { summary: 'compare two captures or traces on device time with tolerances (exit 1 beyond)', load: () => import('./diff.ts') },
  resim: {
    summary: 're-simulate a capture from its measured current and diff what the BMS would have done (exit 1 beyond tolerance)',
    load: () => import('./resim.ts'),
  },
  decode: { summary: 'print the messages of a capture file (text or NDJSON)', load: () => import('./decode.ts') },
  cut: { summary: 'write the frames of a capture inside a window of its device time as a capture of their own', load: () => import('./cut.ts') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: natrium COMMAND [ARGS]\n\ncommands:\n${lines.join('\n')}\n\nnatrium COMMAND --help (or natrium help COMMAND) for a command's options; natrium --version`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `natrium ${pkg.version}`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') {
    console.log(version());
    return 0;
  }
  // natrium help COMMAND = natrium COMMAND --help
  if (cmd === 'help' && rest.length > 0) return main([...rest, '--help']);
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return cmd === undefined ? 2 : 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) throw new UsageError(`unknown command "${cmd}" (natrium --help lists the commands)`);
  return (await entry.load()).main(rest);
}

// a closed pipe (natrium ... | head) ends the output quietly, as other Unix tools do
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      // one line: the problem, and where the usage is
      const cmd = process.argv[2];
      const first = e.message.split('\n')[0]!;
      const hint = first.includes('--help') || !cmd || !(cmd in COMMANDS) ? '' : ` (natrium ${cmd} --help)`;
      process.stderr.write(`natrium: ${first}${hint}\n`);
      process.exitCode = 2;
      return;
    }
    if (isAbuseError(e)) {
      // a cell left the model's validity envelope (sim/envelope.ts): the run stopped
      process.stderr.write(`natrium: ${(e as Error).message}\n`);
      process.exitCode = 3;
      return;
    }
    if (isInputError(e)) {
      process.stderr.write(`natrium: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`natrium: internal error: ${msg}\n`);
    if (process.env.NATRIUM_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
/**
 * natrium: one command for the simulator, the protocol tools and the analyser.
 * A thin layer: parse arguments, call the parts, print. Bad input prints one line
 * `natrium: FILE: FIELD: PROBLEM` and exits with code 2.
 */
import { isInputError } from '../sim/errors.ts';
import { UsageError } from './args.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> }> = {
  sim: { summary: 'run a scenario (or one cell on a current profile) and summarise it', load: () => import('./sim.ts') },
  scenarios: { summary: 'list the scenario library', load: () => import('./scenarios.ts') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: natrium COMMAND [ARGS]\n\ncommands:\n${lines.join('\n')}\n\nnatrium COMMAND --help for a command's options`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(usage());
    return cmd === undefined ? 2 : 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) throw new UsageError(`unknown command "${cmd}"\n${usage()}`);
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
    if (isInputError(e) || e instanceof UsageError) {
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

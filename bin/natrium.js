#!/usr/bin/env node
// Launcher for the `natrium` command: registers tsx so the TypeScript sources run as they are.
// With NATRIUM_HUGEPAGES=1, the commands that hold a whole timeline run in a child process with
// transparent huge pages (bin/hugepages.js); the child gets the same arguments, streams and exit status.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { hugePagesEnv } from './hugepages.js';

const env = hugePagesEnv(process.argv[2], process.env);
if (env === null) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/natrium.ts');
} else {
  // A signal sent to this process is passed on (a terminal's Ctrl-C reaches the child directly
  // too; bin/hugepages.js says why that is harmless); this process then ends as the child did.
  // The handlers go in before the spawn: the child exists (and can be seen and signalled) as soon
  // as it is forked, and a SIGTERM arriving before them would end this process and orphan it.
  // Node runs signal listeners from the event loop, so `child` is set by the time one runs.
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  const forward = (/** @type {NodeJS.Signals} */ signal) => child?.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env });
  child.on('error', (e) => {
    process.stderr.write(`natrium: cannot start: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

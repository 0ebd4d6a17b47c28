#!/usr/bin/env node
// Launcher for the `natrium` command: registers tsx so the TypeScript sources run as they are.
// The commands that hold a whole timeline run in a child process with transparent huge pages
// (bin/hugepages.js); the child gets the same arguments, streams and exit status.
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
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env });
  // A signal sent to this process is passed on (a terminal's Ctrl-C reaches the child directly
  // too; bin/hugepages.js says why that is harmless); this process then ends as the child did.
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
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

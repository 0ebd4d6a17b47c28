/**
 * `npm run bench [-- CASE...]`: runs every case in bench/cases/ (or those named) and prints
 * one JSON line per case. Each module there exports `cases: BenchCase[]`.
 *
 * Every case runs in a process of its own, so that its peak RSS and its JIT state are its own
 * (a case that builds a 1 GB fixture must not inflate the next one's figures).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from './case.ts';
import { hugePagesEnv } from '../bin/hugepages.js';

const dir = fileURLToPath(new URL('./cases/', import.meta.url));
const self = fileURLToPath(import.meta.url);
const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown' };

async function loadCases(): Promise<BenchCase[]> {
  const all: BenchCase[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const mod = (await import(pathToFileURL(dir + f).href)) as { cases: BenchCase[] };
    all.push(...mod.cases);
  }
  return all;
}

const args = process.argv.slice(2);
if (args[0] === '--in-process') {
  // child: run one case here and print its line
  const name = args[1];
  const c = (await loadCases()).find((x) => x.name === name);
  if (!c) {
    console.error(`bench: no case "${name}"`);
    process.exit(2);
  }
  const fields = await c.run();
  console.log(JSON.stringify({ case: c.name, ...fields, ...env }));
} else {
  const all = await loadCases();
  const names = new Set(all.map((c) => c.name));
  for (const a of args) {
    if (!names.has(a)) {
      console.error(`bench: no case "${a}" (cases: ${[...names].join(', ')})`);
      process.exit(2);
    }
  }
  const wanted = args.length > 0 ? all.filter((c) => args.includes(c.name)) : all;
  let failed = 0;
  for (const c of wanted) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--in-process', c.name], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: hugePagesEnv(c.command, process.env) ?? process.env,
    });
    if (r.status !== 0) failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

/**
 * `npm run bench [-- CASE...]`: runs every case in bench/cases/ (or those named) and
 * prints one JSON line per case. Each module there exports `cases: BenchCase[]`.
 */
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase } from './case.ts';

const dir = fileURLToPath(new URL('./cases/', import.meta.url));
const wanted = new Set(process.argv.slice(2));
const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown' };

for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(pathToFileURL(dir + f).href)) as { cases: BenchCase[] };
  for (const c of mod.cases) {
    if (wanted.size > 0 && !wanted.has(c.name)) continue;
    const fields = await c.run();
    console.log(JSON.stringify({ case: c.name, ...fields, ...env }));
  }
}

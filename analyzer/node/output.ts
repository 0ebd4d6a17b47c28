/**
 * Node edge: output directories for export, fleet and demo. Created one level at a time: Node 20's
 * `mkdirSync(dir, { recursive: true })` spins forever where the kernel answers ENOENT for a parent
 * that exists (under /proc), and a user's typo must give one line and exit 2, not a hung command.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../sim/errors.ts';

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * An InputError for an `--out` that names no folder ('' would mean the current one): for
 * commands that must refuse it before they read their inputs (fleet skips inputs inside its own
 * dataset, so '' would skip them all and blame the inputs).
 */
export function checkOutputDir(dir: string): void {
  if (dir.trim() === '') throw new InputError('--out', JSON.stringify(dir), 'an empty path (give a folder)');
}

/** Makes `dir` and any missing parents; an InputError naming `dir` when it cannot. */
export function makeOutputDir(dir: string): void {
  checkOutputDir(dir);
  const target = resolve(dir);
  const missing: string[] = [];
  for (let d = target; ;) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (e) {
      const code = codeOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new InputError(dir, '(output)', `cannot create (${code})`);
      missing.push(d);
      const up = dirname(d);
      if (up === d) break;
      d = up;
      continue;
    }
    if (!isDir) throw new InputError(dir, '(output)', d === target ? 'exists and is not a directory' : `${d} is not a directory`);
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      const code = codeOf(e);
      if (code === 'EEXIST' && statSync(m).isDirectory()) continue; // made meanwhile (another fleet worker)
      throw new InputError(dir, '(output)', `cannot create (${code})`);
    }
  }
}

/**
 * Where the simulator's input files come from. The sim core (everything in sim/ outside
 * sim/node/) reads no files: its parsers take text or parsed objects, the JSON presets arrive as
 * JSON modules (sim/presets.ts), and the files a scenario names by path (a chemistry, vehicle,
 * ambient profile, BMS configuration or current profile of the user's, a shipped drive cycle's
 * CSV) are asked of an `InputFiles`. In Node that is the disk (sim/node/files.ts, with the size
 * limit and BOM rule of sim/node/read.ts); in a browser it is whatever the caller holds (files
 * the user dropped, text fetched beforehand), or `NO_FILES`: presets and inline objects only.
 */
import { InputError } from './errors.ts';

export interface InputFiles {
  /** The path `path` stands for when written in a file whose folder is `baseDir`. */
  resolve(baseDir: string, path: string): string;
  /**
   * The text of the file at `path` (a resolved path); `label` names it in errors, `notFound` is
   * the problem reported when there is no such file. Errors are InputErrors (one line, exit 2).
   */
  read(path: string, label: string, notFound?: string): string;
  /** The text of a data file shipped in sim/, by its path there (e.g. `data/cycles/udds-speed.csv`). */
  shipped(path: string): string;
}

/** No file access (a browser without files): presets and inline objects only; a path is an InputError. */
export const NO_FILES: InputFiles = {
  resolve: (baseDir, path) => (path.startsWith('/') || baseDir === '' || baseDir === '.' ? path : `${baseDir.replace(/\/+$/, '')}/${path}`),
  read: (_path, label) => {
    throw new InputError(label, '(file)', 'no file access here: pass the parsed object or the text instead of a path');
  },
  shipped: (path) => {
    throw new InputError(`sim/${path}`, '(file)', 'no file access here: pass the parsed object or the text instead of a path');
  },
};

/** The last segment of a path (`a/b/c.json` → `c.json`), without `ext` when it ends so. */
export function baseName(path: string, ext = ''): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return ext !== '' && name.endsWith(ext) && name !== ext ? name.slice(0, -ext.length) : name;
}

/**
 * The disk as the sim core's InputFiles (sim/inputs.ts): user files through readInputText (size
 * limit, BOM, errors naming the file), data shipped in sim/ from this package's folder.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputFiles } from '../inputs.ts';
import { readInputText } from './read.ts';

/** The sim/ folder of this package. */
export const SIM_DIR = fileURLToPath(new URL('../', import.meta.url));

export const NODE_FILES: InputFiles = {
  resolve: (baseDir, path) => (isAbsolute(path) ? path : resolve(baseDir, path)),
  read: (path, label, notFound) => readInputText(path, label, notFound),
  shipped: (path) => readInputText(`${SIM_DIR}${path}`, `sim/${path}`),
};

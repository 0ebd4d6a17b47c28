/**
 * A `natrium fleet` worker thread: takes capture paths one at a time from the main thread
 * (analyzer/node/fleet.ts), runs each (fleet-job.ts) and answers with its manifest or the one-line
 * problem. One capture in memory at a time: that bounds a worker's memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isInputError } from '../../sim/errors.ts';
import { loadProfile } from './files.ts';
import { runJob } from './fleet-job.ts';

export interface WorkerInit {
  out: string;
  profile: string;
  date?: string;
}

export type WorkerAnswer =
  { ok: true; path: string; manifest: import('./fleet-job.ts').CaptureManifest; heapBytes: number } | { ok: false; path: string; error: string };

const init = workerData as WorkerInit;
const profile = loadProfile(init.profile);
const port = parentPort!;

port.on('message', (path: string) => {
  runJob(path, { out: init.out, profile, date: init.date }).then(
    ({ manifest, heapBytes }) => port.postMessage({ ok: true, path, manifest, heapBytes } satisfies WorkerAnswer),
    (e: unknown) =>
      port.postMessage({ ok: false, path, error: isInputError(e) ? (e as Error).message : `internal error: ${(e as Error).message}` } satisfies WorkerAnswer),
  );
});
port.postMessage('ready');

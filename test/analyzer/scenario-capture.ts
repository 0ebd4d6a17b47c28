/**
 * Captures of library scenarios for the analyser's tests, made in process with the emulated
 * device (device/capture.ts, what `natrium capture` runs) and kept in memory for the test file.
 */
import { captureScenario } from '../../device/capture.ts';
import { loadScenario } from '../../sim/node/load.ts';

const cache = new Map<string, Uint8Array>();

/** The capture of a scenario (name from sim/scenarios/ or a path), optionally cut at duration_s. */
export function scenarioCapture(name: string, duration_s?: number): Uint8Array {
  const key = `${name}@${duration_s ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parts: Uint8Array[] = [];
  let n = 0;
  captureScenario(loadScenario(name), {
    duration_s,
    out: (b) => {
      parts.push(b.slice());
      n += b.length;
    },
  });
  const all = new Uint8Array(n);
  let p = 0;
  for (const b of parts) {
    all.set(b, p);
    p += b.length;
  }
  cache.set(key, all);
  return all;
}

/**
 * The text form of link-fault rates, as the `--link-faults` option of `natrium emulate` and
 * `natrium capture` takes it: `dropFrame=0.01,corruptByte=0.0005,delay_ms=80` (the keys and what
 * they do: protocol/linkfaults.ts). Isomorphic. A bad spec throws LinkFaultSpecError, whose
 * message names the problem (not the option: the caller knows where the text came from; the CLI
 * turns it into a usage error, exit code 2).
 */
import type { LinkFaultRates } from '../protocol/linkfaults.ts';

/** A link-fault spec that cannot be read (`linkFaultSpec` tells it apart from other errors). */
export class LinkFaultSpecError extends Error {
  readonly linkFaultSpec = true;
  constructor(message: string) {
    super(message);
    this.name = 'LinkFaultSpecError';
  }
}

const FAULT_KEYS = [
  'dropFrame',
  'corruptFrame',
  'duplicateFrame',
  'delayFrame',
  'dropByte',
  'corruptByte',
  'duplicateByte',
  'delay_ms',
] as const satisfies readonly (keyof LinkFaultRates)[];

type FaultKey = (typeof FAULT_KEYS)[number];

const isFaultKey = (k: string): k is FaultKey => (FAULT_KEYS as readonly string[]).includes(k);

/** "dropFrame=0.01,delay_ms=50" → rates: probabilities 0..1, `delay_ms` any number >= 0. */
export function parseLinkFaults(spec: string): LinkFaultRates {
  const out: LinkFaultRates = {};
  for (const part of spec.split(',')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*([^\s]+)\s*$/.exec(part);
    if (!m) throw new LinkFaultSpecError(`expected KEY=VALUE, got "${part}"`);
    const k = m[1]!;
    const v = m[2]!;
    if (!isFaultKey(k)) throw new LinkFaultSpecError(`unknown fault "${k}" (${FAULT_KEYS.join(', ')})`);
    const x = Number(v);
    const max = k === 'delay_ms' ? Infinity : 1;
    if (!Number.isFinite(x) || x < 0 || x > max) {
      throw new LinkFaultSpecError(`${k} must be ${k === 'delay_ms' ? 'a number >= 0' : 'a probability 0..1'}, got "${v}"`);
    }
    out[k] = x;
  }
  return out;
}

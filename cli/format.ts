/** Printing decoded messages: one line of text per message, or one NDJSON object. */
import { messageToJson, type Json } from '../protocol/json.ts';
import { BMS_STATE_NAMES, FAULT_CODE_NAMES, FAULT_TIER_NAMES, NackReason, messageTypeName, type Decoded } from '../protocol/messages.ts';
import type { DecoderCounters } from '../protocol/decoder.ts';

const NACK_NAMES = new Map(Object.entries(NackReason).map(([k, v]) => [v as number, k]));

/** NDJSON line: `{"type":"PACK_STATUS","seq":…,"t_ms":…,…}` (NaN as null). */
export function jsonLine(m: Decoded): string {
  return JSON.stringify(messageToJson(m));
}

/** `{"counters":{…}}`, the last line of NDJSON output. */
export function countersLine(c: DecoderCounters): string {
  return JSON.stringify({ counters: c });
}

function value(key: string, v: Json): string {
  if (v === null) return 'NA';
  if (Array.isArray(v)) return v.map((x) => (x === null ? 'NA' : String(x))).join(',');
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${value(k, x)}`)
      .join(' ')}}`;
  if (typeof v === 'number') {
    if (key === 'state') return BMS_STATE_NAMES[v] ?? String(v);
    if (key === 'tier') return FAULT_TIER_NAMES[v] ?? String(v);
    if (key === 'code') return FAULT_CODE_NAMES[v] ?? String(v);
    if (key === 'reason') return NACK_NAMES.get(v) ?? String(v);
    if (key === 'commandType' || key === 'messageType') return messageTypeName(v);
  }
  return String(v);
}

/** Text line: `t_ms seq TYPE key=value ...` (arrays comma-separated, NA for not available). */
export function textLine(m: Decoded): string {
  const o = messageToJson(m);
  const parts = [String(m.t_ms).padStart(10), `#${m.seq}`.padStart(6), messageTypeName(m.type)];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'type' || k === 'seq' || k === 't_ms') continue;
    parts.push(`${k}=${value(k, v)}`);
  }
  return parts.join(' ');
}

/** Counters as one text line (the non-zero ones, frames and messages always). */
export function countersText(c: DecoderCounters): string {
  const parts = Object.entries(c)
    .filter(([k, v]) => v !== 0 || k === 'frames' || k === 'messages')
    .map(([k, v]) => `${k}=${v}`);
  return `counters: ${parts.join(' ')}`;
}

/** Collects output lines and writes them in large pieces. */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly write: (s: string) => void = (s) => void process.stdout.write(s)) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    this.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }
}

/**
 * Messages ↔ plain JSON values: `type` as its name, typed arrays as arrays, NaN ("not available")
 * as null (so are ±Infinity, which only the float32 fields of EVENT and CMD_INJECT_FAULT can hold;
 * they come back as NaN). Used for NDJSON output and for the worked examples in PROTOCOL.md.
 */
import { MessageType, messageTypeName, type Decoded, type Message, type MessageTypeName } from './messages.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function toJson(x: unknown): Json {
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (typeof x === 'string' || typeof x === 'boolean' || x === null) return x;
  if (ArrayBuffer.isView(x)) {
    const a = x as unknown as ArrayLike<number>;
    const out: (number | null)[] = new Array<number | null>(a.length);
    for (let i = 0; i < a.length; i++) {
      const e = a[i]!;
      out[i] = Number.isFinite(e) ? e : null;
    }
    return out;
  }
  if (Array.isArray(x)) return x.map(toJson);
  if (typeof x === 'object') {
    const o: { [k: string]: Json } = {};
    const src = x as Record<string, unknown>;
    for (const k in src) o[k] = toJson(src[k]);
    return o;
  }
  throw new TypeError(`cannot convert to JSON: ${String(x)}`);
}

/** JSON form of a message: `{"type":"PACK_STATUS","seq":…,"t_ms":…,…}`. */
export function messageToJson(m: Message | Decoded): { [k: string]: Json } {
  const o = toJson(m) as { [k: string]: Json };
  o.type = messageTypeName(m.type);
  return o;
}

function fromJson(key: string, x: Json): unknown {
  if (x === null) return NaN;
  if (Array.isArray(x)) {
    const nums = x.map((e) => (e === null ? NaN : (e as number)));
    return key === 'active' ? Uint8Array.from(nums) : Float64Array.from(nums);
  }
  if (typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = fromJson(k, v);
    return o;
  }
  return x;
}

/** Inverse of messageToJson (no validation beyond the type name; the encoder validates values). */
export function messageFromJson(o: { [k: string]: Json }): Decoded {
  const name = o.type;
  if (typeof name !== 'string' || !(name in MessageType)) throw new TypeError(`invalid type: ${JSON.stringify(name)}`);
  const m = fromJson('', o) as Record<string, unknown>;
  m.type = MessageType[name as MessageTypeName];
  return m as unknown as Decoded;
}

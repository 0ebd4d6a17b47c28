/**
 * The system under test for the session's model-based test: an EmulatedDevice on a FakeModel,
 * driven in device time, its output decoded as a host would; and the model of it (much smaller:
 * state, fault latch, rates, the last command and its answer).
 */
import { Decoder } from '../../../protocol/decoder.ts';
import { EmulatedDevice } from '../../../protocol/device.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { BmsState, MessageType, type Command, type Decoded } from '../../../protocol/messages.ts';
import { DEFAULT_RATES_HZ, PERIODIC_TYPES } from '../../../protocol/session.ts';
import { FakeModel } from '../fake-model.ts';
import { frameOf } from '../helpers.ts';

export interface Answer {
  type: typeof MessageType.ACK | typeof MessageType.NACK;
  reason: number;
}

export interface SessionModel {
  state: BmsState;
  faultActive: boolean;
  rates: Map<number, number>;
  /** Bytes of the last command sent and the answer expected for it. */
  last: { bytes: Uint8Array; seq: number; type: number; answer: Answer } | null;
}

export class SessionRig {
  readonly model = new FakeModel();
  readonly device: EmulatedDevice;
  /** Every message the device sent, in order. */
  readonly received: Decoded[] = [];
  private readonly enc = new Encoder({ leadingDelimiter: false });
  private readonly dec = new Decoder({ onMessage: (m) => this.received.push(m) });

  constructor() {
    this.device = new EmulatedDevice(this.model, (b) => this.dec.push(b), { baudRate: 2_000_000 });
  }

  /** Sends a command; returns its bytes and seq. */
  command(m: Command): { bytes: Uint8Array; seq: number } {
    const seq = this.enc.encode(m, this.device.time_ms);
    const bytes = this.enc.take();
    this.device.receive(bytes);
    return { bytes, seq };
  }

  /** Sends a frame built by hand (unknown type, bad payload), with the next seq. */
  raw(type: number, payload: Uint8Array): { bytes: Uint8Array; seq: number } {
    const seq = this.enc.seq;
    this.enc.seq = (seq + 1) & 0xffff;
    const bytes = frameOf(type, payload, seq, this.device.time_ms);
    this.device.receive(bytes);
    return { bytes, seq };
  }

  /** Runs the device for `ms` of device time; returns the messages that arrived meanwhile. */
  run(ms: number): Decoded[] {
    const from = this.received.length;
    this.device.advanceTo(this.device.time_ms + ms);
    return this.received.slice(from);
  }
}

export function initialModel(): SessionModel {
  return {
    state: BmsState.STANDBY,
    faultActive: false,
    rates: new Map(PERIODIC_TYPES.map((t) => [t, DEFAULT_RATES_HZ[t]])),
    last: null,
  };
}

/** The ACK or NACK answering `seq` among `msgs` (exactly one is expected). */
export function answerOf(msgs: readonly Decoded[], seq: number, type: number): Decoded {
  const a = msgs.filter((m) => (m.type === MessageType.ACK || m.type === MessageType.NACK) && m.commandSeq === seq && m.commandType === type);
  if (a.length !== 1) throw new Error(`expected one answer to command seq ${seq} type 0x${type.toString(16)}, got ${a.length}`);
  return a[0]!;
}

export function expectAnswer(msgs: readonly Decoded[], seq: number, type: number, want: Answer): void {
  const a = answerOf(msgs, seq, type);
  const reason = a.type === MessageType.NACK ? a.reason : 0;
  if (a.type !== want.type || reason !== want.reason) {
    throw new Error(
      `command seq ${seq}: got ${a.type === MessageType.ACK ? 'ACK' : `NACK ${reason}`}, expected ${want.type === MessageType.ACK ? 'ACK' : `NACK ${want.reason}`}`,
    );
  }
}

export const ACK: Answer = { type: MessageType.ACK, reason: 0 };
export const nack = (reason: number): Answer => ({ type: MessageType.NACK, reason });

import type fc from 'fast-check';
import { MAX_RATE_HZ, MessageType, NackReason } from '../../../protocol/messages.ts';
import { PERIODIC_TYPES } from '../../../protocol/session.ts';
import { ACK, answerOf, expectAnswer, nack, type SessionModel, type SessionRig } from './rig.ts';

/**
 * CMD_SET_RATE: ACK for a periodic type at 0..100 Hz, NACK BAD_VALUE otherwise; then, in the
 * second from the answer's tick, exactly `rate` messages of that type.
 */
export class SetRateCommand implements fc.Command<SessionModel, SessionRig> {
  constructor(
    readonly messageType: number,
    readonly rate_Hz: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.command({ type: MessageType.CMD_SET_RATE, messageType: this.messageType, rate_Hz: this.rate_Hz });
    const got = rig.run(1100);
    const ok = (PERIODIC_TYPES as readonly number[]).includes(this.messageType) && this.rate_Hz <= MAX_RATE_HZ;
    const want = ok ? ACK : nack(NackReason.BAD_VALUE);
    expectAnswer(got, seq, MessageType.CMD_SET_RATE, want);
    if (ok) model.rates.set(this.messageType, this.rate_Hz);
    const t0 = answerOf(got, seq, MessageType.CMD_SET_RATE).t_ms;
    for (const type of PERIODIC_TYPES) {
      const n = got.filter((m) => m.type === type && m.t_ms >= t0 && m.t_ms < t0 + 1000).length;
      const rate = model.rates.get(type)!;
      // a type whose rate did not change keeps its phase: rate or rate ± 1 in a window not aligned with it
      const exact = ok && type === this.messageType;
      if (exact ? n !== rate : Math.abs(n - rate) > 1) throw new Error(`type 0x${type.toString(16)}: ${n} messages in 1 s at ${rate} Hz`);
    }
    model.last = { bytes, seq, type: MessageType.CMD_SET_RATE, answer: want };
  }
  toString(): string {
    return `setRate(0x${this.messageType.toString(16)}, ${this.rate_Hz})`;
  }
}

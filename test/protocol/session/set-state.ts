import type fc from 'fast-check';
import { BmsState, MessageType, NackReason } from '../../../protocol/messages.ts';
import { ACK, expectAnswer, nack, type Answer, type SessionModel, type SessionRig } from './rig.ts';

/** CMD_SET_STATE: STANDBY/NORMAL/CHARGE go to the model (FAULT_ACTIVE while latched), others are BAD_VALUE. */
export class SetStateCommand implements fc.Command<SessionModel, SessionRig> {
  constructor(readonly state: BmsState) {}
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.command({ type: MessageType.CMD_SET_STATE, state: this.state });
    // long enough for a PACK_STATUS after the command at the rate the host set
    const hz = model.rates.get(MessageType.PACK_STATUS)!;
    const got = rig.run(hz > 0 ? Math.max(200, Math.ceil(1000 / hz) + 100) : 200);
    let want: Answer;
    if (this.state !== BmsState.STANDBY && this.state !== BmsState.NORMAL && this.state !== BmsState.CHARGE) want = nack(NackReason.BAD_VALUE);
    else if (model.state === BmsState.ERROR && (this.state !== BmsState.STANDBY || model.faultActive)) want = nack(NackReason.FAULT_ACTIVE);
    else want = ACK;
    expectAnswer(got, seq, MessageType.CMD_SET_STATE, want);
    if (want === ACK) model.state = this.state;
    const statuses = got.filter((m) => m.type === MessageType.PACK_STATUS);
    if (model.rates.get(MessageType.PACK_STATUS) === 0) {
      // the host turned PACK_STATUS off: the state is not shown, and nothing is sent
      if (statuses.length > 0) throw new Error(`${statuses.length} PACK_STATUS sent at rate 0`);
    } else {
      const status = statuses.at(-1);
      if (status?.type !== MessageType.PACK_STATUS || status.state !== model.state) {
        throw new Error(`PACK_STATUS shows state ${status?.type === MessageType.PACK_STATUS ? status.state : 'none'}, expected ${model.state}`);
      }
    }
    model.last = { bytes, seq, type: MessageType.CMD_SET_STATE, answer: want };
  }
  toString(): string {
    return `setState(${this.state})`;
  }
}

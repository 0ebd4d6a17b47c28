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
    const got = rig.run(200);
    let want: Answer;
    if (this.state !== BmsState.STANDBY && this.state !== BmsState.NORMAL && this.state !== BmsState.CHARGE) want = nack(NackReason.BAD_VALUE);
    else if (model.state === BmsState.ERROR && (this.state !== BmsState.STANDBY || model.faultActive)) want = nack(NackReason.FAULT_ACTIVE);
    else want = ACK;
    expectAnswer(got, seq, MessageType.CMD_SET_STATE, want);
    if (want === ACK) model.state = this.state;
    const status = got.filter((m) => m.type === MessageType.PACK_STATUS).at(-1);
    if (status?.type !== MessageType.PACK_STATUS || status.state !== model.state) {
      throw new Error(`PACK_STATUS shows state ${status?.type === MessageType.PACK_STATUS ? status.state : 'none'}, expected ${model.state}`);
    }
    model.last = { bytes, seq, type: MessageType.CMD_SET_STATE, answer: want };
  }
  toString(): string {
    return `setState(${this.state})`;
  }
}

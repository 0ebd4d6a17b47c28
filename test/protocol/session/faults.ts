import type fc from 'fast-check';
import { BmsState, FaultCode, MessageType, NackReason } from '../../../protocol/messages.ts';
import { ACK, expectAnswer, nack, type SessionModel, type SessionRig } from './rig.ts';

/** CMD_INJECT_FAULT (open sense wire): ACK on a simulator; an EVENT when the fault changes; ERROR when raised. */
export class InjectFaultCommand implements fc.Command<SessionModel, SessionRig> {
  constructor(readonly active: boolean) {}
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.command({
      type: MessageType.CMD_INJECT_FAULT,
      code: FaultCode.OPEN_SENSE_WIRE,
      index: 3,
      active: this.active,
      value: Number.NaN,
    });
    const got = rig.run(30);
    expectAnswer(got, seq, MessageType.CMD_INJECT_FAULT, ACK);
    const events = got.filter((m) => m.type === MessageType.EVENT);
    const changed = this.active !== model.faultActive;
    if (events.length !== (changed ? 1 : 0)) throw new Error(`${events.length} EVENTs for a ${changed ? 'changed' : 'unchanged'} fault`);
    if (changed && (events[0]!.type !== MessageType.EVENT || events[0]!.raised !== this.active)) throw new Error('EVENT raised flag wrong');
    model.faultActive = this.active;
    if (changed && this.active) model.state = BmsState.ERROR;
    model.last = { bytes, seq, type: MessageType.CMD_INJECT_FAULT, answer: ACK };
  }
  toString(): string {
    return `injectFault(${this.active})`;
  }
}

/** CMD_RESET_FAULTS: FAULT_ACTIVE while the fault is there; else ACK, and ERROR becomes STANDBY. */
export class ResetFaultsCommand implements fc.Command<SessionModel, SessionRig> {
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.command({ type: MessageType.CMD_RESET_FAULTS });
    const got = rig.run(30);
    const want = model.faultActive ? nack(NackReason.FAULT_ACTIVE) : ACK;
    expectAnswer(got, seq, MessageType.CMD_RESET_FAULTS, want);
    if (want === ACK && model.state === BmsState.ERROR) model.state = BmsState.STANDBY;
    model.last = { bytes, seq, type: MessageType.CMD_RESET_FAULTS, answer: want };
  }
  toString(): string {
    return 'resetFaults';
  }
}

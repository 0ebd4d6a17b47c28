import type fc from 'fast-check';
import { MessageType, NackReason } from '../../../protocol/messages.ts';
import { expectAnswer, nack, type SessionModel, type SessionRig } from './rig.ts';

/** The last command again, byte for byte (a duplicate on the link): the same answer, not executed again. */
export class DuplicateCommand implements fc.Command<SessionModel, SessionRig> {
  check(model: Readonly<SessionModel>): boolean {
    return model.last !== null;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const last = model.last!;
    const executed = rig.model.executed.length;
    rig.device.receive(last.bytes);
    const got = rig.run(30);
    expectAnswer(got, last.seq, last.type, last.answer);
    if (rig.model.executed.length !== executed) throw new Error('a duplicate command was executed again');
  }
  toString(): string {
    return 'duplicate';
  }
}

/** A command type the device does not know (0x86-0xBF): NACK UNKNOWN_COMMAND. */
export class UnknownCommand implements fc.Command<SessionModel, SessionRig> {
  constructor(readonly type: number) {}
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.raw(this.type, Uint8Array.of(1, 2, 3));
    const got = rig.run(30);
    const want = nack(NackReason.UNKNOWN_COMMAND);
    expectAnswer(got, seq, this.type, want);
    model.last = { bytes, seq, type: this.type, answer: want };
  }
  toString(): string {
    return `unknown(0x${this.type.toString(16)})`;
  }
}

/** CMD_SET_STATE with no payload, or a state byte > 5: NACK MALFORMED, not executed. */
export class MalformedCommand implements fc.Command<SessionModel, SessionRig> {
  constructor(readonly payload: Uint8Array) {}
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const executed = rig.model.executed.length;
    const { bytes, seq } = rig.raw(MessageType.CMD_SET_STATE, this.payload);
    const got = rig.run(30);
    const want = nack(NackReason.MALFORMED);
    expectAnswer(got, seq, MessageType.CMD_SET_STATE, want);
    if (rig.model.executed.length !== executed) throw new Error('a malformed command was executed');
    model.last = { bytes, seq, type: MessageType.CMD_SET_STATE, answer: want };
  }
  toString(): string {
    return `malformed([${[...this.payload].join(',')}])`;
  }
}

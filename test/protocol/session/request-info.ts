import type fc from 'fast-check';
import { MessageType } from '../../../protocol/messages.ts';
import { ACK, answerOf, expectAnswer, type SessionModel, type SessionRig } from './rig.ts';

/** CMD_REQUEST_INFO: ACK, then INFO at once. */
export class RequestInfoCommand implements fc.Command<SessionModel, SessionRig> {
  check(): boolean {
    return true;
  }
  run(model: SessionModel, rig: SessionRig): void {
    const { bytes, seq } = rig.command({ type: MessageType.CMD_REQUEST_INFO });
    const got = rig.run(30);
    expectAnswer(got, seq, MessageType.CMD_REQUEST_INFO, ACK);
    const after = got[got.indexOf(answerOf(got, seq, MessageType.CMD_REQUEST_INFO)) + 1];
    if (after?.type !== MessageType.INFO) throw new Error(`expected INFO right after the ACK, got ${String(after?.type)}`);
    model.last = { bytes, seq, type: MessageType.CMD_REQUEST_INFO, answer: ACK };
  }
  toString(): string {
    return 'requestInfo';
  }
}

/**
 * Model-based test of a whole session against the real emulated device (ScenarioModel on the BMS
 * emulator, in an EmulatedDevice): for all sequences of state requests, resets and injected host
 * link losses, the host's model, built from PROTOCOL.md §11.1-11.2 alone, predicts every ACK and
 * NACK, and once the device has settled, its state, its contactor bits and a latched ERROR.
 */
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { BmsState, FaultCode, MessageType, NackReason, type Command, type Decoded } from '../../protocol/messages.ts';
import { loadScenario } from '../../sim/node/load.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-10ms.json', import.meta.url));
/** Device time after a command by which the device has settled (precharge, opening), ms. */
const SETTLE_MS = 3000;
/** HOST_COMM_LOSS FATAL comes 5 s after the link is lost (default preset): wait past it. */
const LOSS_MS = 6500;

interface HostModel {
  state: 'STANDBY' | 'NORMAL' | 'CHARGE' | 'ERROR';
  /** An injected host link loss is active (a FATAL fault once it has lasted 5 s). */
  lost: boolean;
}

class Rig {
  readonly device: EmulatedDevice;
  private readonly enc = new Encoder();
  private readonly got: Decoded[] = [];
  constructor() {
    const dec = new Decoder({ onMessage: (m) => void this.got.push(structuredClone(m)) });
    this.device = new EmulatedDevice(new ScenarioModel(loadScenario(FIXTURE)), (b) => dec.push(b), { baudRate: 1_000_000 });
    this.device.advanceTo(2000); // past INIT
  }
  /** Sends `c`, runs `ms` of device time; the answer and the last PACK_STATUS. */
  send(c: Command, ms: number): { reason: number; status: Decoded & { type: typeof MessageType.PACK_STATUS } } {
    const seq = this.enc.encode(c, this.device.time_ms);
    this.device.receive(this.enc.take());
    this.got.length = 0;
    this.device.advanceTo(this.device.time_ms + ms);
    const a = this.got.find((m) => (m.type === MessageType.ACK || m.type === MessageType.NACK) && m.commandSeq === seq);
    if (a?.type !== MessageType.ACK && a?.type !== MessageType.NACK) throw new Error(`no answer to command 0x${c.type.toString(16)}`);
    const status = this.got.findLast((m) => m.type === MessageType.PACK_STATUS);
    if (status?.type !== MessageType.PACK_STATUS) throw new Error('no PACK_STATUS');
    return { reason: a.type === MessageType.ACK ? 0 : a.reason, status };
  }
}

/** What PACK_STATUS must show once settled in the model's state. */
function expectSettled(
  m: HostModel,
  s: { state: number; mainPositiveClosed: boolean; mainNegativeClosed: boolean; prechargeClosed: boolean; faultMask: number },
): void {
  expect(s.state).toBe(BmsState[m.state]);
  const closed = m.state === 'NORMAL' || m.state === 'CHARGE';
  expect([s.mainPositiveClosed, s.mainNegativeClosed, s.prechargeClosed]).toEqual([closed, closed, false]);
  expect((s.faultMask >> FaultCode.HOST_COMM_LOSS) & 1).toBe(m.state === 'ERROR' && m.lost ? 1 : 0);
}

class SetState implements fc.Command<HostModel, Rig> {
  constructor(readonly to: 'STANDBY' | 'NORMAL' | 'CHARGE') {}
  check = (): boolean => true;
  run(m: HostModel, r: Rig): void {
    const { reason, status } = r.send({ type: MessageType.CMD_SET_STATE, state: BmsState[this.to] }, SETTLE_MS);
    let want = 0;
    if (m.state === 'ERROR') want = m.lost && this.to !== 'STANDBY' ? NackReason.FAULT_ACTIVE : NackReason.ILLEGAL_TRANSITION;
    expect(reason).toBe(want);
    if (want === 0) m.state = this.to;
    expectSettled(m, status);
  }
  toString = (): string => `setState(${this.to})`;
}

class ResetFaults implements fc.Command<HostModel, Rig> {
  check = (): boolean => true;
  run(m: HostModel, r: Rig): void {
    const { reason, status } = r.send({ type: MessageType.CMD_RESET_FAULTS }, SETTLE_MS);
    const fatal = m.state === 'ERROR' && m.lost;
    expect(reason).toBe(fatal ? NackReason.FAULT_ACTIVE : 0);
    if (!fatal && m.state === 'ERROR') m.state = 'STANDBY';
    expectSettled(m, status);
  }
  toString = (): string => 'resetFaults';
}

class HostLinkLoss implements fc.Command<HostModel, Rig> {
  constructor(readonly active: boolean) {}
  check = (): boolean => true;
  run(m: HostModel, r: Rig): void {
    const cmd = { type: MessageType.CMD_INJECT_FAULT, code: FaultCode.HOST_COMM_LOSS, index: -1, active: this.active, value: NaN } as const;
    const { reason, status } = r.send(cmd, this.active ? LOSS_MS : SETTLE_MS);
    expect(reason).toBe(this.active || m.lost ? 0 : NackReason.BAD_VALUE);
    m.lost = this.active;
    if (this.active) m.state = 'ERROR'; // latched: stays after the link is back, until RESET_FAULTS
    expectSettled(m, status);
  }
  toString = (): string => `hostLinkLoss(${this.active})`;
}

const commands = [
  fc.constantFrom('STANDBY', 'NORMAL', 'CHARGE').map((s) => new SetState(s as 'STANDBY' | 'NORMAL' | 'CHARGE')),
  fc.constant(new ResetFaults()),
  fc.boolean().map((a) => new HostLinkLoss(a)),
];

describe('a session with the emulated device (model-based)', () => {
  it('should answer, and settle in the state and contactors, as PROTOCOL.md §11.1 predicts', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 12 }), (cmds) => {
        fc.modelRun(() => ({ model: { state: 'STANDBY', lost: false } as HostModel, real: new Rig() }), cmds);
      }),
      { numRuns: 15 },
    );
  });
});

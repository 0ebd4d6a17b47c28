/**
 * The host watchdog of the emulated device (PROTOCOL.md §11.3): armed by the first valid
 * command, it raises HOST_COMM_LOSS at each tier when the host has been silent for the BMS
 * configuration's host_comm_loss thresholds, and the next valid command clears it. Off by default.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { BmsState, FaultCode, FaultTier, MessageType, type Command, type Decoded } from '../../protocol/messages.ts';
import { CHECK_INDEX } from '../../sim/bms/diag.ts';
import { loadScenario } from '../../sim/node/load.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url));

function rig(hostWatchdog: boolean | undefined) {
  const model = new ScenarioModel(loadScenario(FIXTURE), hostWatchdog === undefined ? {} : { hostWatchdog });
  const got: Decoded[] = [];
  const dec = new Decoder({ onMessage: (m) => void got.push(structuredClone(m)) });
  const device = new EmulatedDevice(model, (b) => dec.push(b), { baudRate: 1_000_000 });
  const enc = new Encoder();
  return {
    model,
    got,
    device,
    send(c: Command): void {
      enc.encode(c, device.time_ms);
      device.receive(enc.take());
    },
    events: () => got.filter((m) => m.type === MessageType.EVENT && m.code === FaultCode.HOST_COMM_LOSS),
    state: () => got.findLast((m) => m.type === MessageType.PACK_STATUS)?.state,
  };
}

describe('host watchdog', () => {
  const thr = (r: ReturnType<typeof rig>, tier: number) => r.model.bms.diag.thresholds[CHECK_INDEX.host_comm_loss * 3 + tier];
  it('should raise HOST_COMM_LOSS at its tiers after the host falls silent, and clear it at the next command', () => {
    const r = rig(true);
    r.device.advanceTo(2000);
    r.send({ type: MessageType.CMD_SET_STATE, state: BmsState.NORMAL }); // arms the watchdog
    r.device.advanceTo(2010);
    const heard = r.device.time_ms;
    r.device.advanceTo(30_000);
    const raised = r.events().filter((e) => e.type === MessageType.EVENT && e.raised);
    expect(raised.map((e) => e.type === MessageType.EVENT && e.tier)).toEqual([FaultTier.WARNING, FaultTier.FATAL]);
    // each tier at its threshold (1 s, 5 s in the default preset), to within the pack step the BMS runs at
    const at = raised.map((e) => (e.t_ms - heard) / 1000);
    expect(at[0]).toBeGreaterThanOrEqual(1);
    expect(at[0]).toBeLessThanOrEqual(2);
    expect(at[1]).toBeGreaterThanOrEqual(5);
    expect(at[1]).toBeLessThanOrEqual(6);
    expect(r.state()).toBe(BmsState.ERROR);
    // the next valid command ends the silence: RESET_FAULTS is not refused for it, and both tiers clear
    r.send({ type: MessageType.CMD_RESET_FAULTS });
    r.device.advanceTo(32_000);
    expect(r.got.findLast((m) => m.type === MessageType.ACK || m.type === MessageType.NACK)?.type).toBe(MessageType.ACK);
    const cleared = r.events().filter((e) => e.type === MessageType.EVENT && !e.raised);
    expect(cleared.length).toBe(2);
    expect(r.state()).toBe(BmsState.STANDBY);
  });

  it('should be off by default, and not armed before the first command', () => {
    for (const r of [rig(undefined), rig(false)]) {
      r.device.advanceTo(2000);
      r.send({ type: MessageType.CMD_REQUEST_INFO });
      r.device.advanceTo(60_000);
      expect(r.events()).toEqual([]);
    }
    const armed = rig(true);
    armed.device.advanceTo(60_000);
    expect(armed.events()).toEqual([]);
    expect(thr(armed, 2)).toBe(5);
  });
});

/**
 * Normative sentences of PROTOCOL.md about the emulated device that no other test covers:
 * NA in INFO tier limits (§1), the pack model holding between BMS ticks (§8, "Firmware timing"),
 * and the order of checks on receive as the device counts them in LINK_STATS (§7, §9.8).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { MessageType, type Decoded } from '../../protocol/messages.ts';
import { readBmsConfig } from '../../sim/bms/config.ts';
import { loadScenario } from '../../sim/node/load.ts';
import { Reader } from '../../sim/validate.ts';
import { FakeModel } from '../protocol/fake-model.ts';
import { frameOf, stuff, unstuff } from '../protocol/helpers.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url));
/** INFO payload offset of the tier limits, and the size of one tier (PROTOCOL.md §9.1). */
const LIMITS_AT = 56;
const TIER_BYTES = 20;
const HEADER = 8;

describe('PROTOCOL.md §1: NA in the tier limits of INFO', () => {
  it('should send a limit the device does not have at a tier as NA, and a reader should get NaN', () => {
    const sc = loadScenario(FIXTURE);
    sc.bmsSection = new Reader(sc.file, { checks: { cell_overvoltage: { mol_V: null }, overcurrent_charge: { mol_A: null } } }, 'bms');
    sc.bms = readBmsConfig(sc.bmsSection, sc.chemistry);
    const info = new ScenarioModel(sc).info();
    expect(info.limits.mol.cellVoltageMax_V).toBeNaN();
    expect(info.limits.rsl.cellVoltageMax_V).toBeGreaterThan(0);
    const enc = new Encoder({ leadingDelimiter: false });
    enc.encode(info, 0);
    const wire = enc.take();
    const raw = unstuff(wire);
    const view = new DataView(raw.buffer, raw.byteOffset + HEADER);
    expect(view.getUint16(LIMITS_AT, true)).toBe(0xffff); // MOL cell_voltage_max, u16
    expect(view.getUint32(LIMITS_AT + 4, true)).toBe(0xffffffff); // MOL charge_current_max, u32
    expect(view.getUint16(LIMITS_AT + TIER_BYTES, true)).not.toBe(0xffff); // RSL has one
    const got: Decoded[] = [];
    new Decoder({ onMessage: (m) => got.push(m) }).push(Uint8Array.of(0, ...wire));
    const m = got[0]!;
    expect(m.type).toBe(MessageType.INFO);
    if (m.type !== MessageType.INFO) return;
    expect(m.limits.mol.cellVoltageMax_V).toBeNaN();
    expect(m.limits.mol.chargeCurrentMax_A).toBeNaN();
    expect(m.limits.rsl.cellVoltageMax_V).toBeCloseTo(info.limits.rsl.cellVoltageMax_V, 4);
  });
});

describe('PROTOCOL.md §8: the pack model holds between BMS ticks', () => {
  it('should keep the pack of a 1 s step for every 10 ms tick within it, and step it when device time enters the next', () => {
    const model = new ScenarioModel(loadScenario(FIXTURE));
    const seen: number[] = [];
    for (let t = 10; t <= 3000; t += 10) {
      model.advanceTo(t);
      seen.push(model.run.time_s()); // the pack model's own time: where it has stepped to
    }
    // the pack's clock: 1 s from the first tick on, 2 s from 1010 ms, 3 s from 2010 ms
    expect(seen.slice(0, 100).every((x) => x === 1)).toBe(true);
    expect(seen.slice(100, 200).every((x) => x === 2)).toBe(true);
    expect(seen[200]).toBe(3);
    expect(model.bms.db.now_ms).toBe(3000); // while the BMS ticked every 10 ms up to device time
  });
});

describe('PROTOCOL.md §7: the order of checks on receive, as the device counts them (LINK_STATS)', () => {
  it('should count a run that fails several checks under the first one that fails', () => {
    const msgs: Decoded[] = [];
    const dec = new Decoder({ onMessage: (m) => msgs.push(m) });
    const device = new EmulatedDevice(new FakeModel(), (b) => dec.push(b), { baudRate: 2_000_000 });
    device.advanceTo(100);
    const good = frameOf(MessageType.CMD_REQUEST_INFO, new Uint8Array(0), 1, 0);
    const raw = unstuff(good);
    const corrupt = (f: (r: Uint8Array) => void): Uint8Array => {
      const r = raw.slice();
      f(r);
      return stuff(r);
    };
    const runs = [
      // oversize (rule 2) although it is also no valid COBS: 600 bytes of code 0xFF... pointing past the end
      Uint8Array.of(...new Array<number>(600).fill(0xff), 0),
      // bad COBS (rule 3) that would also be short
      Uint8Array.of(0x05, 0x01, 0x00),
      // short (rule 4) that also has no valid CRC nor version
      stuff(Uint8Array.of(2, 0x80, 0, 0, 0)),
      // CRC (rule 5) with a bad version too: the version byte changed after the CRC was computed
      corrupt((r) => (r[0] = 2)),
      // bad version (rule 6) with a good CRC and a device -> host type: counted as a bad version, not wrong direction
      frameOf(MessageType.ACK, Uint8Array.of(7, 0, 0x80, 0), 9, 0, 2),
    ];
    device.receive(Uint8Array.of(0)); // in sync: bytes before the first 0x00 would be pre-sync, not counted
    for (const r of runs) device.receive(r);
    const enc = new Encoder({ leadingDelimiter: false });
    enc.seq = 50;
    enc.encode({ type: MessageType.CMD_REQUEST_LINK_STATS }, 0);
    device.receive(enc.take());
    device.advanceTo(200);
    const ls = msgs.find((m) => m.type === MessageType.LINK_STATS);
    expect(ls?.type).toBe(MessageType.LINK_STATS);
    if (ls?.type !== MessageType.LINK_STATS) return;
    expect(ls).toMatchObject({ oversizeRuns: 1, cobsErrors: 1, shortFrames: 1, crcErrors: 1, badVersions: 1, wrongDirection: 0, framesOk: 1 });
  });
});

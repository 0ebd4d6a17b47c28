/**
 * An `emulate --mock` session with a fault toggling: the emulator as `natrium emulate --mock`
 * starts it (device/node/emulator.ts, speed 'max', the in-process mock port), a host on the other
 * end of the port that turns the periodic telemetry off (CMD_SET_RATE, so that the run is about
 * EVENTs) and injects and removes a host link loss (HOST_COMM_LOSS: WARNING after 1 s, FATAL after
 * 5 s, so four EVENTs a cycle) every `period_s` of device time. Counts every raise and clear the
 * BMS's diagnosis makes and every EVENT frame the host decodes. Shared by
 * test/device/node/event-soak.test.ts (a short run) and the bench case `emulate-events-24h`.
 */
import type { SerialPortStream } from '@serialport/stream';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../../device/node/emulator.ts';
import { Decoder } from '../../../protocol/decoder.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { FaultCode, MessageType } from '../../../protocol/messages.ts';
import { DeviceMockBinding, type MockDevicePort } from '../../../protocol/node/mock-port.ts';
import { closePort, openPort } from '../../../protocol/node/serial.ts';
import { PERIODIC_TYPES } from '../../../protocol/session.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/rest-8s1p-1s.json', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SoakResult {
  /** Device time run, s. */
  device_s: number;
  /** Injections and removals sent. */
  toggles: number;
  /** Raises and clears the BMS's diagnosis made (Diag.onEvent), all codes. */
  transitions: number;
  /** EVENT frames the host decoded. */
  events: number;
  /** Frames the host saw missing (seq gaps), damaged or dropped by the device's transmit queue. */
  seqMissing: number;
  damaged: number;
  txDropped: number;
  /** Commands the device NACKed (none expected). */
  nacks: number;
  cpu_s: number;
  wall_s: number;
}

export async function eventSoak(o: { duration_s: number; period_s: number; mockPath: string }): Promise<SoakResult> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const enc = new Encoder();
  let port: SerialPortStream | null = null;
  let toggles = 0;
  let nextToggle_ms = o.period_s * 1000;
  const emu = await startEmulator({
    port: null,
    mockPath: o.mockPath,
    scenario: FIXTURE,
    speed: 'max',
    baudRate: 1_000_000,
    duration_s: o.duration_s,
    onAdvance: (t_ms) => {
      // not on the last tick: a command the device no longer runs for would count for nothing
      if (port === null || t_ms < nextToggle_ms || t_ms >= o.duration_s * 1000) return;
      nextToggle_ms += o.period_s * 1000;
      enc.encode({ type: MessageType.CMD_INJECT_FAULT, code: FaultCode.HOST_COMM_LOSS, index: -1, active: toggles % 2 === 0, value: NaN }, t_ms);
      port.write(enc.take());
      toggles++;
    },
  });
  let transitions = 0;
  const diag = emu.model.bms.diag;
  const queue = diag.onEvent;
  diag.onEvent = (e) => {
    transitions++;
    queue?.(e);
  };
  let events = 0;
  let nacks = 0;
  const dec = new Decoder({
    onMessage: (m) => {
      if (m.type === MessageType.EVENT) events++;
      else if (m.type === MessageType.NACK) nacks++;
    },
  });
  try {
    port = await openPort(DeviceMockBinding, emu.path, 115200);
    port.on('data', (b: Buffer) => dec.push(b));
    for (const t of PERIODIC_TYPES) enc.encode({ type: MessageType.CMD_SET_RATE, messageType: t, rate_Hz: 0 }, 0);
    port.write(enc.take());
    await emu.done;
    // the last tick's frames leave at the next one: one more second, then the host reads the rest
    emu.device.advanceTo(emu.device.time_ms + 1000);
    const end = emu.end as MockDevicePort;
    while (end.backlogBytes > 0) await sleep(5);
    await sleep(20);
  } finally {
    if (port) await closePort(port);
    await emu.stop();
  }
  const c = dec.counters;
  const cpu = process.cpuUsage(cpu0);
  return {
    device_s: emu.device.time_ms / 1000,
    toggles,
    transitions,
    events,
    seqMissing: c.seqMissing,
    damaged: c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns,
    txDropped: emu.device.link.counters.framesDropped,
    nacks,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    wall_s: (performance.now() - wall0) / 1000,
  };
}

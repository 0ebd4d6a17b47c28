/**
 * The protocol commands: natrium emulate (--mock in-process, and a pty), stream, replay, decode.
 */
import type { SerialPortStream } from '@serialport/stream';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main as decodeMain } from '../../cli/decode.ts';
import { main as emulateMain } from '../../cli/emulate.ts';
import { parseLinkFaults } from '../../device/linkfaults.ts';
import { startEmulator, type Emulator } from '../../device/node/emulator.ts';
import { main as replayMain } from '../../cli/replay.ts';
import { main as streamMain } from '../../cli/stream.ts';
import { UsageError } from '../../cli/args.ts';
import { decodeCapture } from '../../protocol/capture.ts';
import type { DecoderCounters } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { HostSession } from '../../protocol/host.ts';
import { BmsState, FaultCode, MessageType, NackReason, type Decoded } from '../../protocol/messages.ts';
import { DeviceMockBinding } from '../../protocol/node/mock-port.ts';
import { closePort, openPort } from '../../protocol/node/serial.ts';
import { hasSocat, ptyPair } from '../protocol/node/socat.ts';

const SCENARIO = fileURLToPath(new URL('./fixtures/emulate-8s1p.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs a command's main in-process; returns its stdout. */
async function captureStdout(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    chunks.push(typeof s === 'string' ? s : Buffer.from(s).toString());
    return true;
  });
  try {
    const code = await fn();
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

/** A capture of a few frames, with the wire span of each (its 0x00 included). */
function sampleCapture(): { bytes: Uint8Array; ends: number[] } {
  const enc = new Encoder();
  const ends: number[] = [];
  const put = (m: Parameters<Encoder['encode']>[0], t: number): void => {
    enc.encode(m, t);
    ends.push(enc.length - 1);
  };
  put({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: Float64Array.of(3.2714, 3.2698, Number.NaN) }, 100);
  put({ type: MessageType.ACK, commandSeq: 4, commandType: MessageType.CMD_SET_STATE }, 110);
  put({ type: MessageType.EVENT, code: 0, tier: 1, raised: true, index: 3, value: 4.015625, threshold: 4 }, 120);
  put({ type: MessageType.NACK, commandSeq: 5, commandType: MessageType.CMD_INJECT_FAULT, reason: NackReason.NOT_SIMULATOR }, 130);
  return { bytes: enc.take(), ends };
}

describe('natrium emulate --mock (in-process host)', () => {
  let emu: Emulator | null = null;
  let port: SerialPortStream | null = null;
  afterEach(async () => {
    if (port) await closePort(port);
    await emu?.stop();
    port = null;
    emu = null;
  });

  it('should answer INFO and state commands and stream the emulated BMS, through main', async () => {
    const ac = new AbortController();
    let host: HostSession | null = null;
    const ready = new Promise<void>((resolve) => {
      void emulateMain(['--mock', '/dev/natrium-cli-test', '--scenario', SCENARIO, '--speed', '20', '--duration', '60'], {
        signal: ac.signal,
        onReady: (e) => {
          void openPort(DeviceMockBinding, e.path, 115200).then((p) => {
            port = p;
            host = new HostSession((b) => p.write(Buffer.from(b)), { timeout_ms: 500 });
            p.on('data', (b: Buffer) => host!.receive(b));
            resolve();
          });
        },
      });
    });
    await ready;
    const h = host!;
    const info = await h.command({ type: MessageType.CMD_REQUEST_INFO });
    expect(info.type).toBe(MessageType.ACK);
    // INIT takes no state request (PROTOCOL.md §11.1): wait for the device to leave it
    const t0 = Date.now();
    while ((h.status?.state ?? BmsState.INIT) === BmsState.INIT && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    const standby = await h.command({ type: MessageType.CMD_SET_STATE, state: BmsState.STANDBY });
    expect(standby.type).toBe(MessageType.ACK);
    // the ACK means "will happen": from NORMAL (the scenario may be there by now) the contactors
    // open first and STANDBY shows from the tick they are open (PROTOCOL.md §8)
    const t1 = Date.now();
    while (h.status?.state !== BmsState.STANDBY && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(h.status?.state).toBe(BmsState.STANDBY);
    expect(h.info).toMatchObject({ ns: 8, np: 1, chemistry: 'naion-18650-layered', flags: 1 });
    const c = h.counters;
    expect(c.crcErrors + c.cobsErrors + c.seqMissing).toBe(0);
    ac.abort();
  });

  it('should run --speed max to --duration with no host attached, its bytes unheard (it once waited for a host forever)', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err.push(String(s));
      return true;
    });
    try {
      expect(await emulateMain(['--mock', '/dev/natrium-cli-nohost', '--scenario', SCENARIO, '--speed', 'max', '--duration', '120'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const m = /stopped at ([\d.]+) s device time; (\d+) frames \((\d+) bytes\) sent.*; (\d+) bytes unheard \(no host had the mock open\)\n$/.exec(err.join(''));
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(120);
    expect(Number(m![2])).toBeGreaterThan(1000);
    expect(m![4]).toBe(m![3]);
  }, 30_000);

  it('should count the link faults it injects exactly (emulated BMS, manual device time)', async () => {
    emu = await startEmulator({
      port: null,
      mockPath: '/dev/natrium-cli-faults',
      scenario: SCENARIO,
      speed: 1,
      baudRate: 115200,
      manual: true,
      seed: 99,
      linkFaults: parseLinkFaults(
        'dropFrame=0.03,corruptFrame=0.03,duplicateFrame=0.03,delayFrame=0.05,dropByte=0.0003,corruptByte=0.0003,duplicateByte=0.0003,delay_ms=30',
      ),
    });
    const e = emu;
    const faults = e.device.faults!;
    faults.enabled = false;
    port = await openPort(DeviceMockBinding, e.path, 115200);
    const p = port;
    const host = new HostSession((b) => p.write(Buffer.from(b)));
    p.on('data', (b: Buffer) => host.receive(b));
    const run = async (ms: number): Promise<void> => {
      const end = e.device.time_ms + ms;
      while (e.device.time_ms < end) {
        e.device.advanceTo(e.device.time_ms + 10);
        await turn();
      }
    };
    await run(1500); // past INIT, which takes no state request (PROTOCOL.md §11.1)
    const ack = host.command({ type: MessageType.CMD_SET_STATE, state: BmsState.NORMAL });
    await run(100);
    expect((await ack).type).toBe(MessageType.ACK);
    faults.enabled = true;
    await run(20_000);
    faults.enabled = false;
    await run(500);
    const f = faults.counters;
    const c = host.counters;
    expect(f.framesDropped * f.framesCorrupted * f.framesDuplicated * f.framesDelayed * f.framesByteDamaged).toBeGreaterThan(0);
    expect(c.duplicates).toBe(f.framesDuplicated);
    expect(c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns + c.badVersions).toBe(f.framesCorrupted + f.framesByteDamaged);
    expect(c.seqMissing).toBe(f.framesDropped + f.framesCorrupted + f.framesByteDamaged + e.device.link.counters.framesDropped);
  });

  it("should set the BMS up from stream's options in order, report each answer, and exit 1 on silence", async () => {
    emu = await startEmulator({ port: null, mockPath: '/dev/natrium-cli-setup', scenario: SCENARIO, speed: 10, baudRate: 115200 });
    const err: string[] = [];
    const code = await streamMain(
      ['--port', emu.path, '--duration', '1.5', '--state', 'STANDBY', '--rate', 'SIM_TRUTH=0', '--reset-faults', '--rate', 'PACK_STATUS=20'],
      { binding: DeviceMockBinding, stdout: () => {}, stderr: (s) => void err.push(s), tty: false },
    );
    expect(code).toBe(0);
    expect(err.slice(0, 4)).toEqual([
      'natrium stream: CMD_RESET_FAULTS → ACK\n',
      'natrium stream: CMD_SET_RATE SIM_TRUTH=0 → ACK\n',
      'natrium stream: CMD_SET_RATE PACK_STATUS=20 → ACK\n',
      'natrium stream: CMD_SET_STATE STANDBY → ACK\n',
    ]);
    await emu.stop();

    // a device that never answers: each command is retried, then reported, and the exit code is 1
    emu = await startEmulator({ port: null, mockPath: '/dev/natrium-cli-silent', scenario: SCENARIO, speed: 1, baudRate: 115200, manual: true });
    const err2: string[] = [];
    const code2 = await streamMain(['--port', emu.path, '--duration', '1.2', '--state', 'NORMAL'], {
      binding: DeviceMockBinding,
      stdout: () => {},
      stderr: (s) => void err2.push(s),
      tty: false,
    });
    expect(code2).toBe(1);
    expect(err2[0]).toMatch(/^natrium stream: CMD_SET_STATE NORMAL → no answer to command 0x81 after 3 attempts\n$/);
  });

  // a BMS with a host watchdog raises HOST_COMM_LOSS 1 s after the host's last command: the rig's
  // set-up alone is not enough to stream for longer
  it('should keep a host watchdog fed with --keepalive; without it the BMS raises HOST_COMM_LOSS after the set-up', async () => {
    for (const keepalive of [['--keepalive', '0.3'], []]) {
      emu = await startEmulator({
        port: null,
        mockPath: `/dev/natrium-cli-keepalive${keepalive.length}`,
        scenario: SCENARIO,
        speed: 1,
        baudRate: 115200,
        hostWatchdog: true,
      });
      const out: string[] = [];
      const err: string[] = [];
      const code = await streamMain(['--port', emu.path, '--duration', '2.6', '--json', '--rate', 'SIM_TRUTH=0', ...keepalive], {
        binding: DeviceMockBinding,
        stdout: (s) => void out.push(s),
        stderr: (s) => void err.push(s),
        tty: false,
      });
      await emu.stop();
      emu = null;
      expect([code, err[0]]).toEqual([0, 'natrium stream: CMD_SET_RATE SIM_TRUTH=0 → ACK\n']);
      const msgs = out
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type?: string; t_ms: number; code?: number | string; raised?: boolean; commandType?: number | string });
      const answers = msgs.filter((m) => m.type === 'ACK');
      const setUp = answers[0]!.t_ms;
      const raised = msgs.filter(
        (m) => m.type === 'EVENT' && (m.code === FaultCode.HOST_COMM_LOSS || m.code === 'HOST_COMM_LOSS') && m.raised && m.t_ms > setUp,
      );
      if (keepalive.length > 0) {
        expect(answers.length).toBeGreaterThanOrEqual(6); // the set-up and a keepalive every 0.3 s of 2.6 s
        expect(raised).toEqual([]);
      } else {
        expect(answers.length).toBe(1);
        expect(raised.length).toBeGreaterThan(0);
      }
    }
  }, 30_000);

  it('should refuse a --keepalive out of range with a usage error', async () => {
    await expect(streamMain(['--port', '/dev/x', '--keepalive', '0'])).rejects.toThrow(/^--keepalive: must be >= 0.05, got 0/);
    await expect(streamMain(['--port', '/dev/x', '--keepalive', '-1'])).rejects.toThrow(/^--keepalive: must be >= 0.05/);
    await expect(streamMain(['--port', '/dev/x', '--keepalive', 'often'])).rejects.toThrow(/^--keepalive: expected a number/);
  });

  it('should refuse bad start-up options with a usage error naming the option', async () => {
    await expect(streamMain(['--port', '/dev/x', '--rate', 'PACK_STATUS'])).rejects.toThrow(/--rate: expected TYPE=HZ/);
    await expect(streamMain(['--port', '/dev/x', '--rate', 'INFO=1'])).rejects.toThrow(/--rate: expected TYPE=HZ/);
    await expect(streamMain(['--port', '/dev/x', '--rate', 'CELL_VOLTAGES=101'])).rejects.toThrow(/--rate: HZ must be 0-100/);
    await expect(streamMain(['--port', '/dev/x', '--state', 'ERROR'])).rejects.toThrow(/--state: expected one of STANDBY, NORMAL, CHARGE/);
  });

  it('should inject a fault on command (ACK, an EVENT, the mask, the open channel in telemetry) and remove it', async () => {
    emu = await startEmulator({ port: null, mockPath: '/dev/natrium-cli-inject', scenario: SCENARIO, speed: 1, baudRate: 115200, manual: true });
    const e = emu;
    port = await openPort(DeviceMockBinding, e.path, 115200);
    const p = port;
    const msgs: Decoded[] = [];
    const host = new HostSession((b) => p.write(Buffer.from(b)), { onMessage: (m) => msgs.push(m) });
    p.on('data', (b: Buffer) => host.receive(b));
    const until = async <T>(q: Promise<T>): Promise<T> => {
      let done = false;
      const r = q.finally(() => (done = true));
      for (let k = 0; k < 200 && !done; k++) {
        e.device.advanceTo(e.device.time_ms + 10);
        await turn();
      }
      return r;
    };
    const inject = (code: number, index: number, active = true) =>
      until(host.command({ type: MessageType.CMD_INJECT_FAULT, code, index, active, value: Number.NaN }));
    const lastCells = () => {
      const c = msgs.filter((m) => m.type === MessageType.CELL_VOLTAGES).at(-1);
      if (c?.type !== MessageType.CELL_VOLTAGES) throw new Error('no CELL_VOLTAGES');
      return c.voltages_V;
    };
    const advance = async (ms: number) => {
      for (let k = 0; k < ms / 10; k++) {
        e.device.advanceTo(e.device.time_ms + 10);
        await turn();
      }
    };
    expect((await inject(FaultCode.OPEN_SENSE_WIRE, 2)).type).toBe(MessageType.ACK);
    expect(await inject(FaultCode.OPEN_SENSE_WIRE, 3, false)).toMatchObject({ type: MessageType.NACK, reason: NackReason.BAD_VALUE }); // never injected
    expect(await inject(FaultCode.CELL_OVERVOLTAGE, 2)).toMatchObject({ type: MessageType.NACK, reason: NackReason.UNSUPPORTED });
    expect(await inject(FaultCode.NTC_OPEN, 99)).toMatchObject({ type: MessageType.NACK, reason: NackReason.BAD_VALUE });
    expect(await inject(FaultCode.CELL_VOLTAGE_PLAUSIBILITY, 9999)).toMatchObject({ type: MessageType.NACK, reason: NackReason.BAD_VALUE });
    await advance(3000);
    expect(msgs.find((m) => m.type === MessageType.EVENT)).toMatchObject({ code: FaultCode.OPEN_SENSE_WIRE, raised: true, index: 2 });
    expect(host.status!.faultMask | host.status!.warningMask | host.status!.infoMask).toBe(1 << FaultCode.OPEN_SENSE_WIRE);
    expect(Number.isNaN(lastCells()[2]!)).toBe(true);

    // remove it: the channel reads again and the fault clears (the ERROR it caused stays latched)
    expect((await inject(FaultCode.OPEN_SENSE_WIRE, 2, false)).type).toBe(MessageType.ACK);
    expect(await inject(FaultCode.OPEN_SENSE_WIRE, 2, false)).toMatchObject({ type: MessageType.NACK, reason: NackReason.BAD_VALUE }); // already removed
    await advance(3000);
    expect(msgs.filter((m) => m.type === MessageType.EVENT).at(-1)).toMatchObject({ code: FaultCode.OPEN_SENSE_WIRE, raised: false, index: 2 });
    expect(host.status!.faultMask).toBe(0);
    expect(lastCells()[2]!).toBeGreaterThan(1);
    // a stuck voltage channel, injected and removed
    expect((await inject(FaultCode.CELL_VOLTAGE_PLAUSIBILITY, 1)).type).toBe(MessageType.ACK);
    expect((await inject(FaultCode.CELL_VOLTAGE_PLAUSIBILITY, 1, false)).type).toBe(MessageType.ACK);
  });

  it('should refuse bad options with a usage error', async () => {
    await expect(emulateMain([])).rejects.toThrow(UsageError);
    await expect(emulateMain(['--mock', '--port', '/dev/x'])).rejects.toThrow(/exactly one/);
    await expect(emulateMain(['--mock', '--speed', '0'])).rejects.toThrow(/--speed/);
    await expect(emulateMain(['--mock', '--link-faults', 'nope=0.1'])).rejects.toThrow(/^--link-faults: unknown fault "nope"/);
    expect(() => parseLinkFaults('dropFrame=2')).toThrow(/probability/);
    expect(() => parseLinkFaults('nope=0.1')).toThrow(/unknown fault/);
  });
});

describe('natrium decode', () => {
  it('should print NDJSON: type, seq, t_ms and the fields, then the counters', async () => {
    const { bytes } = sampleCapture();
    const path = join(dir, 'sample.bin');
    writeFileSync(path, bytes);
    const { code, out } = await captureStdout(() => decodeMain([path, '--json']));
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(Object.keys(lines[0]!).slice(0, 3)).toEqual(['type', 'seq', 't_ms']);
    expect(lines[0]).toEqual({ type: 'CELL_VOLTAGES', seq: 0, t_ms: 100, offset: 0, voltages_V: [3.2714, 3.2698, null] });
    expect(lines[1]).toEqual({ type: 'ACK', seq: 1, t_ms: 110, commandSeq: 4, commandType: MessageType.CMD_SET_STATE });
    expect(lines[3]).toMatchObject({ type: 'NACK', reason: NackReason.NOT_SIMULATOR });
    expect(Object.keys(lines[4]!)).toEqual(['counters']);
    expect(lines[4]!.counters).toMatchObject({ frames: 4, messages: 4, crcErrors: 0, incompleteBytes: 0 });
  });

  it('should print one text line per message and the counters', async () => {
    const path = join(dir, 'sample-text.bin');
    writeFileSync(path, sampleCapture().bytes);
    const { out } = await captureStdout(() => decodeMain([path]));
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\s+100\s+#0 CELL_VOLTAGES offset=0 voltages_V=3.2714,3.2698,NA$/);
    expect(lines[2]).toMatch(/EVENT code=CELL_OVERVOLTAGE tier=WARNING raised=true index=3/);
    expect(lines[3]).toMatch(/NACK commandSeq=5 commandType=CMD_INJECT_FAULT reason=NOT_SIMULATOR/);
    expect(lines[4]).toBe('counters: frames=4 messages=4 frameBytes=' + String(decodeCapture(sampleCapture().bytes).counters.frameBytes));
  });

  // a half-written capture is not an error: for cuts at the start, inside and just before each
  // 0x00, exactly the frames completed before the cut are printed and the tail is counted
  it('should print exactly the frames completed before a cut', async () => {
    const { bytes, ends } = sampleCapture();
    const cuts = [0, 1, 2, ...ends.flatMap((e) => [e - 1, e, e + 1]), Math.floor(ends[2]! - 5), bytes.length];
    for (const cut of cuts) {
      const path = join(dir, `cut-${cut}.bin`);
      writeFileSync(path, bytes.subarray(0, cut));
      const { code, out } = await captureStdout(() => decodeMain([path, '--json']));
      expect(code).toBe(0);
      const lines = out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const complete = ends.filter((e) => e <= cut).length; // a frame is whole once the byte before its 0x00 is in
      expect(lines.length - 1).toBe(complete);
      const c = lines.at(-1)!.counters as DecoderCounters;
      expect(c.crcErrors + c.cobsErrors + c.shortFrames).toBe(0);
      const consumed = complete === 0 ? 1 : ends[complete - 1]! + 1;
      expect(c.incompleteBytes).toBe(cut - Math.min(cut, consumed));
    }
  });

  it('should fail with one line and exit code 2 on a missing file or bad arguments', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), 'decode', ...args], { encoding: 'utf8', cwd: ROOT });
    const missing = run(join(dir, 'nope.bin'));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/nope\.bin: \(file\): no such file/);
    expect(missing.stdout).toBe('');
    const isDir = run(dir, '--json');
    expect(isDir.status).toBe(2);
    expect(isDir.stderr).toMatch(/is a directory/);
  });

  it('should reject a missing CAPTURE argument with a usage error', async () => {
    await expect(decodeMain([])).rejects.toThrow(UsageError);
    await expect(decodeMain(['a.bin', '--bogus'])).rejects.toThrow(UsageError);
  });
});

describe.skipIf(!hasSocat)('natrium emulate / stream / replay over a socat pty pair', () => {
  it("should record with stream what replay re-emits, byte for byte, with the frames' timing", async () => {
    // a capture made by the emulator itself (manual device time, 3 s)
    const capPath = join(dir, 'emulated.bin');
    const emu = await startEmulator({ port: null, mockPath: '/dev/natrium-cli-rec', scenario: SCENARIO, speed: 1, baudRate: 115200, manual: true });
    const chunks: Uint8Array[] = [];
    const p = await openPort(DeviceMockBinding, emu.path, 115200);
    p.on('data', (b: Buffer) => chunks.push(Uint8Array.from(b)));
    for (let t = 0; t < 3000; t += 10) {
      emu.device.advanceTo(t + 10);
      await turn();
    }
    await closePort(p);
    await emu.stop();
    writeFileSync(capPath, Buffer.concat(chunks));
    const original = readFileSync(capPath);
    expect(decodeCapture(original).messages.length).toBeGreaterThan(100);

    const pty = await ptyPair();
    try {
      const recPath = join(dir, 'recorded.bin');
      const ac = new AbortController();
      const lines: string[] = [];
      const streaming = streamMain(['--port', pty.b, '--record', recPath, '--json'], {
        signal: ac.signal,
        stdout: (s) => void lines.push(s),
        stderr: () => {},
      });
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      await replayMain([capPath, '--port', pty.a, '--speed', '4']);
      const took = Date.now() - t0;
      await new Promise((r) => setTimeout(r, 300));
      ac.abort();
      expect(await streaming).toBe(0);
      expect(readFileSync(recPath).equals(original)).toBe(true);
      // 3 s of device time at 4x: about 0.75 s
      expect(took).toBeGreaterThan(500);
      expect(took).toBeLessThan(3000);
      const objs = lines
        .join('')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(objs.length - 1).toBe(decodeCapture(original).messages.length);
      expect(objs.at(-1)!.counters).toMatchObject({ crcErrors: 0, seqMissing: 0 });
    } finally {
      await pty.close();
    }
  });

  it('should run emulate --port and show a status line in stream', async () => {
    const pty = await ptyPair();
    try {
      const ac = new AbortController();
      const emulating = emulateMain(['--port', pty.a, '--scenario', SCENARIO, '--speed', '10', '--duration', '600'], { signal: ac.signal });
      const out: string[] = [];
      await streamMain(['--port', pty.b, '--duration', '1.5'], { stdout: (s) => void out.push(s), stderr: () => {}, tty: false });
      ac.abort();
      expect(await emulating).toBe(0);
      const last = out.join('').trimEnd().split('\n').at(-1)!;
      expect(last).toMatch(
        /^(NORMAL|STANDBY|PRECHARGE|INIT)\s+\d+\.\d\d V\s+-?\d+\.\d\d A\s+SOC \d+\.\d %\s+cell \d\.\d{4}–\d\.\d{4} V\s+Tmax \d+\.\d °C\s+link errors 0/,
      );
    } finally {
      await pty.close();
    }
  });
});

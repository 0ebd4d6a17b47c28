/**
 * reaction.false_alarms on HOST_COMM_LOSS (analyzer/rules/reaction/internal/host.ts): the host's
 * silence up to the EVENT, from the last valid command the device answered on its wire.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../../analyzer/analyze.ts';
import { ScenarioModel } from '../../../../device/model.ts';
import { EmulatedDevice } from '../../../../protocol/device.ts';
import { Encoder } from '../../../../protocol/encoder.ts';
import { FaultCode, FaultTier, MessageType, NackReason, type Decoded, type DeviceMessage } from '../../../../protocol/messages.ts';
import { loadScenario } from '../../../../sim/node/load.ts';
import { generateMessages } from '../../generate.ts';
import { analyzeBytes, findingsOf } from '../../harness.ts';
import { SHORT, show } from '../envelope/sessions.ts';

const ID = 'reaction.false_alarms';

describe('reaction.false_alarms: HOST_COMM_LOSS, against the answers to the host’s commands', () => {
  interface Answer {
    t_s: number;
    /** A NACK with this reason (default an ACK). */
    nack?: number;
    /** The previous answer again (a duplicate command's). */
    repeat?: boolean;
  }
  /** Answers every 0.5 s over [from, to]. */
  const every = (from: number, to: number): Answer[] => Array.from({ length: Math.floor((to - from) * 2) + 1 }, (_, i) => ({ t_s: from + i / 2 }));
  /** SHORT with the device answering the host at `answers`, raising HOST_COMM_LOSS at `raises` (s) and clearing it at `clears`. */
  function session(answers: Answer[], raises: { t_s: number; tier: FaultTier; threshold: number }[], clears: number[] = []): Report {
    const msgs: Decoded<DeviceMessage>[] = generateMessages({
      phases: SHORT,
      mutate: (k) => {
        for (const r of raises) {
          if (k.k === Math.round(r.t_s * 10))
            k.events.push({ code: FaultCode.HOST_COMM_LOSS, tier: r.tier, raised: true, index: -1, value: r.threshold + 0.1, threshold: r.threshold });
        }
        for (const t of clears) {
          for (const tier of [FaultTier.WARNING, FaultTier.FATAL]) {
            if (k.k === Math.round(t * 10)) k.events.push({ code: FaultCode.HOST_COMM_LOSS, tier, raised: false, index: -1, value: 0, threshold: 1 });
          }
        }
      },
    });
    let command = 0;
    for (const a of answers) {
      if (!a.repeat) command++;
      const base = { seq: 0, t_ms: Math.round(a.t_s * 1000), commandSeq: command, commandType: MessageType.CMD_REQUEST_INFO };
      msgs.push((a.nack === undefined ? { ...base, type: MessageType.ACK } : { ...base, type: MessageType.NACK, reason: a.nack }) as Decoded<DeviceMessage>);
    }
    msgs.sort((x, y) => x.t_ms - y.t_ms);
    const enc = new Encoder({ initialCapacity: 1 << 20 });
    msgs.forEach((m, i) => enc.encodeWithSeq(m, i & 0xffff, m.t_ms));
    return analyzeBytes(enc.view().slice(), { checks: [ID] }).report;
  }
  const metrics = (r: Report) => r.checks.find((c) => c.check === ID)!.metrics!;

  it('should match a raise after the host fell silent, and call one raised while the device answered its commands a false alarm', () => {
    const report = session(
      [...every(1, 40), ...every(60, 110)],
      [
        { t_s: 41.2, tier: FaultTier.WARNING, threshold: 1 },
        { t_s: 45.2, tier: FaultTier.FATAL, threshold: 5 },
        { t_s: 80, tier: FaultTier.WARNING, threshold: 1 },
        { t_s: 90.3, tier: FaultTier.FATAL, threshold: 5 },
      ],
      [60],
    );
    const fs = findingsOf(report, ID);
    expect(
      fs.map((f) => [f.t_start_s, f.severity, f.subject]),
      show(fs),
    ).toEqual([
      [80, 'warning', 'HOST_COMM_LOSS WARNING host'],
      [90.3, 'error', 'HOST_COMM_LOSS FATAL host'],
    ]);
    expect(fs[1]!.message).toBe(
      'HOST_COMM_LOSS FATAL raised at 90.3 s (value 5.1 s, threshold 5 s) but the host was not silent for 4.95 s: the device answered one of its commands 0.3 s before it: a false alarm',
    );
    expect(fs[1]!.threshold).toEqual({
      value: 4.95,
      unit: 's',
      source: expect.stringMatching(/^EVENT threshold ∓ margin_s \(PROTOCOL\.md section 8/) as unknown,
    });
    expect(fs[1]!.evidence.data_extreme).toBeCloseTo(0.3, 6);
    expect(metrics(report)).toMatchObject({ events_judged: 4, events_matched: 2, false_alarms: 2, events_not_judged: 0 });
  });

  it('should not let a NACK for a command that did not decode, nor an answer repeated for a duplicate, end the silence', () => {
    // each of them within 0.95 s of the raise: any one taken for a command would make it false
    const answers: Answer[] = [
      ...every(1, 40),
      { t_s: 40.7, repeat: true },
      { t_s: 40.9, nack: NackReason.MALFORMED },
      { t_s: 41.1, nack: NackReason.UNKNOWN_COMMAND },
    ];
    const raised = [{ t_s: 41.5, tier: FaultTier.WARNING, threshold: 1 }];
    const report = session(answers, raised);
    expect(findingsOf(report, ID)).toEqual([]);
    expect(metrics(report)).toMatchObject({ events_matched: 1, false_alarms: 0 });
    // a command that decoded and was refused is a command: the host was heard
    const refused = session([...answers, { t_s: 41, nack: NackReason.BAD_VALUE }], raised);
    expect(findingsOf(refused, ID).map((f) => f.severity)).toEqual(['warning']);
  });

  it('should match the emulated device’s own HOST_COMM_LOSS (host watchdog on) to the answers on its wire', () => {
    const model = new ScenarioModel(loadScenario(fileURLToPath(new URL('../../../device/fixtures/rest-8s1p-10ms.json', import.meta.url))), {
      hostWatchdog: true,
    });
    const wire: Uint8Array[] = [];
    const device = new EmulatedDevice(model, (b) => void wire.push(b.slice()), { baudRate: 1_000_000 });
    const enc = new Encoder();
    // the host asks for INFO every 0.5 s for 10 s, then falls silent: WARNING after 1 s, FATAL after 5 s
    for (let t = 1000; t <= 10_000; t += 500) {
      device.advanceTo(t);
      enc.encode({ type: MessageType.CMD_REQUEST_INFO }, device.time_ms);
      device.receive(enc.take());
    }
    device.advanceTo(20_000);
    const bytes = new Uint8Array(wire.reduce((n, b) => n + b.length, 0));
    wire.reduce((o, b) => (bytes.set(b, o), o + b.length), 0);
    const { report, builder } = analyzeBytes(bytes, { checks: [ID] });
    expect(builder.timeline.answers.length).toBe(19);
    expect(builder.timeline.events.filter((e) => e.code === FaultCode.HOST_COMM_LOSS && e.raised).map((e) => e.tier)).toEqual([
      FaultTier.WARNING,
      FaultTier.FATAL,
    ]);
    expect(findingsOf(report, ID)).toEqual([]);
    expect(metrics(report)).toMatchObject({ events_matched: 2, false_alarms: 0, events_not_judged: 0 });
  });

  it('should leave it not judged with no answer in the capture, or too little of the device run before it', () => {
    const none = findingsOf(session([], [{ t_s: 50, tier: FaultTier.WARNING, threshold: 1 }]), ID);
    expect(none.map((f) => [f.severity, f.message])).toEqual([
      ['info', 'HOST_COMM_LOSS WARNING raised at 50 s: not judged, no command answers (ACK, NACK) in the capture: the host’s commands are not on this link'],
    ]);
    // answers only later: 3 s of the capture before a 5 s raise cannot tell, 2 s before a 1 s one can
    const early = session(every(30, 60), [
      { t_s: 2, tier: FaultTier.WARNING, threshold: 1 },
      { t_s: 3, tier: FaultTier.FATAL, threshold: 5 },
    ]);
    expect(findingsOf(early, ID).map((f) => [f.severity, f.message])).toEqual([
      [
        'info',
        'HOST_COMM_LOSS FATAL raised at 3 s: not judged, no command answered in the 3 s of this device run before it (the host’s last command may be earlier)',
      ],
    ]);
    expect(metrics(early)).toMatchObject({ events_matched: 1, events_not_judged: 1 });
  });
});

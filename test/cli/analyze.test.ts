/**
 * natrium analyze (spawned): the report forms, exit codes, waivers, unreadable inputs, traces and
 * truncated captures; and stream --analyze (in process, emulator on a mock port) against analyze of
 * the capture it recorded.
 */
import { loadBytes } from '../../viewer/src/engine/load.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main as streamMain } from '../../cli/stream.ts';
import { startEmulator, type Emulator } from '../../device/node/emulator.ts';
import { DeviceMockBinding } from '../../protocol/node/mock-port.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = 'test/device/fixtures/capture-8s1p-short.json';
const EMULATE = fileURLToPath(new URL('./fixtures/emulate-8s1p.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const natrium = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' } });
const analyze = (...args: string[]) => natrium('analyze', ...args);
const CAP = join(dir, 'c.bin');

beforeAll(() => {
  expect(natrium('capture', FIXTURE, '--out', CAP).status).toBe(0);
});

/** Exit 2 with exactly one stderr line naming `what`, and no stack trace. */
function expectUsage(r: ReturnType<typeof analyze>, what: string): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(what);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('natrium analyze', () => {
  it('should print a text summary, exit 0, and give JSON, Markdown and JUnit forms', () => {
    const t = analyze(CAP);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^input\s+.*c\.bin \(capture/);
    expect(t.stdout).toMatch(/\nresult\s+PASS/);

    const j = analyze(CAP, '--json');
    expect(j.status).toBe(0);
    const r = JSON.parse(j.stdout);
    expect(r.schema).toBe('natrium.report/1');
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['generator', 'input', 'profile', 'summary', 'result', 'checks', 'findings', 'expired_waivers']));
    expect(r.generator.name).toBe('natrium');
    expect(r.input).toMatchObject({ kind: 'capture', bytes: readFileSync(CAP).length });
    for (const k of ['name', 'rows', 'duration_s', 'messages', 'device', 'decoder', 'late_frames', 'seq_lost']) expect(r.input, k).toHaveProperty(k);
    expect(r.input.device.chemistry).toBe('naion-18650-layered');
    expect(r.profile).toMatchObject({ name: 'default', fail_on: 'error', limits_source: 'device INFO' });
    for (const k of ['worst', 'findings', 'waived', 'checks', 'exit_code']) expect(r.result, k).toHaveProperty(k);
    expect(r.result.exit_code).toBe(0);
    for (const c of r.checks) expect(['pass', 'fail', 'not_evaluable']).toContain(c.status);
    for (const f of r.findings) for (const k of ['id', 'check', 'severity', 't_start_s', 't_end_s', 'message', 'subject']) expect(f, k).toHaveProperty(k);

    const m = analyze(CAP, '--md');
    expect(m.status).toBe(0);
    expect(m.stdout.startsWith('# natrium analysis')).toBe(true);

    const junit = join(dir, 'j.xml');
    expect(analyze(CAP, '--junit', junit).status).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(r.checks.length);
  });

  it('should exit 1 on --fail-on info with an info finding, and 0 when a waiver waives everything', () => {
    const r = JSON.parse(analyze(CAP, '--json').stdout);
    expect(r.result.findings.info).toBeGreaterThan(0);
    expect(analyze(CAP, '--fail-on', 'info').status).toBe(1);
    const w = join(dir, 'all.waivers.json');
    writeFileSync(w, JSON.stringify({ schema: 'natrium.waivers/1', waivers: [{ check: '*', reason: 'x' }] }));
    const ok = analyze(CAP, '--fail-on', 'info', '--waivers', w, '--json');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).result.waived).toBe(r.findings.length);
  });

  it('should exit 2 with one line naming the file or field on unreadable input and bad arguments', () => {
    const rand = join(dir, 'random.bin');
    writeFileSync(
      rand,
      Uint8Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24 || 1),
    );
    const badProfile = join(dir, 'bad-profile.json');
    writeFileSync(badProfile, '{bad');
    const badWaivers = join(dir, 'bad-waivers.json');
    writeFileSync(badWaivers, '{"schema":"natrium.waivers/1","waivers":[');
    expectUsage(analyze(join(dir, 'missing.bin')), 'missing.bin');
    expectUsage(analyze(rand), 'random.bin');
    expectUsage(analyze(CAP, '--profile', 'nosuch'), '--profile');
    expectUsage(analyze(CAP, '--profile', badProfile), 'bad-profile.json');
    expectUsage(analyze(CAP, '--set', 'foo'), '--set');
    expectUsage(analyze(CAP, '--set', 'envelope.cell_voltage.nokey=1'), 'envelope.cell_voltage.nokey');
    expectUsage(analyze(CAP, '--waivers', badWaivers), 'bad-waivers.json');
  });

  it('should refuse an absurd threshold from --set and from a profile file with one line naming key, value and bound', () => {
    const r = analyze(CAP, '--set', 'reaction.contactors.pack_step_s=1e30');
    expectUsage(r, '--set: reaction.contactors.pack_step_s is a duration in seconds, got 1e+30 (must be <= 2592000)');
    const file = join(dir, 'absurd-profile.json');
    writeFileSync(
      file,
      JSON.stringify({ schema: 'natrium.profile/1', name: 'absurd', extends: 'default', checks: { 'quality.frame_loss': { warning_pct: 1e30 } } }),
    );
    expectUsage(analyze(CAP, '--profile', file), 'absurd-profile.json: checks.quality.frame_loss.warning_pct: a percentage, got 1e+30 (must be <= 100)');
  });

  it('should analyse a sim trace as kind "trace"', () => {
    const csv = join(dir, 't.csv');
    expect(natrium('sim', FIXTURE, '--out', csv).status).toBe(0);
    const r = analyze(csv, '--json');
    expect([0, 1]).toContain(r.status);
    const rep = JSON.parse(r.stdout);
    expect(rep.input.kind).toBe('trace');
    expect(rep.input.decoder).toBeNull();
    expect(rep.profile.limits_source).toMatch(/, BMS config default$/);
    // the viewer gives the trace the same INFO (limits, capacity), so the same report
    const viewed = loadBytes(new Uint8Array(readFileSync(csv)), csv);
    if (viewed.kind !== 'trace') throw new Error(`viewer read ${viewed.kind}`);
    expect(JSON.parse(JSON.stringify(viewed.analyze()))).toEqual(rep);
  });

  it('should analyse a capture cut mid-frame and count the incomplete bytes', () => {
    const bytes = readFileSync(CAP);
    const cut = join(dir, 'cut.bin');
    // end 13 bytes into the first frame (after byte 20000) longer than 13 bytes: after its predecessor's 0x00
    let start = bytes.indexOf(0, 20000) + 1;
    while (bytes.indexOf(0, start) - start <= 13) start = bytes.indexOf(0, start) + 1;
    const end = start + 13;
    writeFileSync(cut, bytes.subarray(0, end));
    const r = analyze(cut, '--json');
    expect([0, 1], r.stderr).toContain(r.status);
    expect(JSON.parse(r.stdout).input.decoder.incompleteBytes).toBeGreaterThan(0);
  });
});

describe('natrium stream --analyze', () => {
  let emu: Emulator | null = null;
  afterEach(async () => {
    await emu?.stop();
    emu = null;
  });

  it('should end with the report analyze gives for the recorded capture', async () => {
    emu = await startEmulator({ port: null, mockPath: '/dev/natrium-cli-analyze', scenario: EMULATE, speed: 10, baudRate: 115200 });
    const rec = join(dir, 'live.bin');
    const repJson = join(dir, 'live.json');
    const code = await streamMain(['--port', emu.path, '--duration', '2', '--record', rec, '--analyze', '--report-json', repJson], {
      binding: DeviceMockBinding,
      stdout: () => {},
      stderr: () => {},
      tty: false,
    });
    const live = JSON.parse(readFileSync(repJson, 'utf8'));
    expect(live.input.kind).toBe('live');
    expect(live.input.rows).toBeGreaterThan(0);
    const a = analyze(rec, '--json');
    expect(a.status).toBe(live.result.exit_code);
    expect(code).toBe(live.result.exit_code);
    const file = JSON.parse(a.stdout);
    expect(file.input.kind).toBe('capture');
    for (const k of ['checks', 'findings', 'summary', 'result']) expect(live[k], k).toEqual(file[k]);
  });
});

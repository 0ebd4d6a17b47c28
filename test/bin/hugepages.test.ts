/**
 * The launcher's huge pages (bin/hugepages.js, bin/natrium.js): off unless NATRIUM_HUGEPAGES=1;
 * which commands get the glibc tunable then, that a user's own setting is respected, and that the
 * re-launched command is the same command to its caller (stdin, exit status, a signal sent to the
 * launcher).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HUGE_PAGE_COMMANDS, hugePagesEnv } from '../../bin/hugepages.js';

const BIN = fileURLToPath(new URL('../../bin/natrium.js', import.meta.url));

describe('hugePagesEnv', () => {
  const ON = { NATRIUM_HUGEPAGES: '1' };

  it('is off unless NATRIUM_HUGEPAGES=1 (a loss on the bench VM: README, "Huge pages")', () => {
    for (const env of [{}, { NATRIUM_HUGEPAGES: '0' }, { NATRIUM_HUGEPAGES: '' }, { NATRIUM_HUGEPAGES: 'yes' }]) {
      for (const cmd of HUGE_PAGE_COMMANDS) expect(hugePagesEnv(cmd, env, 'linux')).toBeNull();
    }
  });

  it('adds the tunable for the commands that hold a whole timeline, on Linux only', () => {
    for (const cmd of ['analyze', 'demo', 'export', 'fleet', 'diff', 'resim']) {
      expect(HUGE_PAGE_COMMANDS.has(cmd)).toBe(true);
      expect(hugePagesEnv(cmd, { ...ON, PATH: '/bin' }, 'linux')).toEqual({ ...ON, PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
      expect(hugePagesEnv(cmd, ON, 'darwin')).toBeNull();
    }
    for (const cmd of ['sim', 'view', 'stream', 'emulate', 'capture', '--version', 'nonsense', undefined]) expect(hugePagesEnv(cmd, ON, 'linux')).toBeNull();
  });

  it('keeps the other tunables, and leaves a user’s own hugetlb setting alone', () => {
    expect(hugePagesEnv('analyze', { ...ON, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux')?.GLIBC_TUNABLES).toBe(
      'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    );
    expect(hugePagesEnv('analyze', { ...ON, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux')).toBeNull();
  });
});

/** Pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('bin/natrium.js with huge pages', () => {
  it('runs the command in a child with the tunable; a SIGTERM to the launcher ends both, as the signal', async () => {
    // `analyze -` waits on stdin, so the child can be looked at while it runs
    const launcher = spawn(process.execPath, [BIN, 'analyze', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, GLIBC_TUNABLES: '', NATRIUM_HUGEPAGES: '1' },
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => launcher.on('exit', (code, signal) => r([code, signal])));
    // polled tightly and signalled at once: the launcher must forward a signal that arrives just
    // after the child has started (its handlers were once installed after the spawn, a window in
    // which a SIGTERM ended the launcher and left the child orphaned). Before its exec, the forked
    // child still shows the launcher's environment.
    const TUNABLE = 'GLIBC_TUNABLES=glibc.malloc.hugetlb=1';
    let child = 0;
    for (let i = 0; i < 5000 && child === 0; i++) {
      await new Promise((r) => setTimeout(r, 1));
      for (const pid of childrenOf(launcher.pid!)) {
        try {
          if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(TUNABLE)) child = pid;
        } catch {
          // gone or not readable yet
        }
      }
    }
    expect(child).toBeGreaterThan(0);
    launcher.kill('SIGTERM');
    expect(await exited).toEqual([null, 'SIGTERM']);
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      alive = readdirSync('/proc').includes(String(child));
      if (alive) await new Promise((r) => setTimeout(r, 20));
    }
    expect(alive).toBe(false);
  }, 30_000);

  it('passes stdin through and returns the command’s exit status', async () => {
    const launcher = spawn(process.execPath, [BIN, 'analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NATRIUM_HUGEPAGES: '1' } });
    let err = '';
    launcher.stderr.on('data', (d: Buffer) => (err += d.toString()));
    launcher.stdin.end('not a capture');
    const code = await new Promise<number | null>((r) => launcher.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/^natrium: -: \(file\): no natrium frames in 13 bytes/);
  }, 30_000);

  it('runs the command in its own process without NATRIUM_HUGEPAGES=1', async () => {
    const env = { ...process.env };
    delete env.NATRIUM_HUGEPAGES;
    const launcher = spawn(process.execPath, [BIN, 'analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let code: number | null | undefined;
    launcher.on('exit', (c) => (code = c));
    // watched until it has started (it reads stdin once tsx and the CLI are loaded: ~0.3 s)
    // (tsx may run esbuild as a child of its own, on a cold transform cache: not a re-launch)
    const relaunched = new Set<string>();
    for (let i = 0; i < 400 && code === undefined; i++) {
      for (const pid of childrenOf(launcher.pid!)) {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          if (argv.some((a) => a.endsWith('natrium.js'))) relaunched.add(argv.join(' '));
        } catch {
          // gone meanwhile
        }
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    launcher.stdin.end('not a capture');
    while (code === undefined) await new Promise((r) => setTimeout(r, 5));
    expect(code).toBe(2);
    expect([...relaunched]).toEqual([]);
  }, 30_000);
});

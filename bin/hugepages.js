/**
 * Transparent huge pages for the commands that hold a whole timeline in memory: off unless
 * NATRIUM_HUGEPAGES=1.
 *
 * The analyser's columnar store of a 24 h capture is ~600 MB of typed arrays, and every 4 KiB
 * page of it costs a page fault on first touch. Node allocates typed-array memory with glibc's
 * malloc, and glibc (2.35+) asks the kernel for transparent huge pages on its large allocations
 * when the tunable `glibc.malloc.hugetlb=1` is set (an madvise, so it works with the kernel's
 * default `madvise` THP mode). Tunables are read when the process starts, so the launcher runs
 * these commands in a child process with the tunable set.
 *
 * It was the default until measured as a loss in three sessions in a row on the bench VM
 * (README, "Huge pages"): with the kernel's default `defrag=madvise`, a fault on an madvised
 * region compacts memory on the spot to find a 2 MiB page, and that cost 0.5–1.5 s of system
 * time where 4 KiB pages cost 0.2–0.6 s; the child process adds a second start-up besides.
 *
 * Applied with NATRIUM_HUGEPAGES=1, on Linux, when GLIBC_TUNABLES does not already name
 * `glibc.malloc.hugetlb` (the user's choice, and the child's own environment). Other C
 * libraries (musl) and older glibc ignore the tunable.
 */
import process from 'node:process';

/**
 * Commands whose work builds a whole timeline (or several) in this process: analyse, export,
 * compare. (`view` is not one: the browser builds the timeline.) None of them handles SIGINT,
 * which a terminal's Ctrl-C delivers to the child directly and the launcher passes on again: a
 * command that comes to handle it must tolerate it twice, or leave this list.
 */
export const HUGE_PAGE_COMMANDS = new Set(['demo', 'analyze', 'export', 'fleet', 'diff', 'resim']);

const TUNABLE = 'glibc.malloc.hugetlb';

/**
 * The environment to run `command` with huge pages, or null when the current one will do (not
 * one of the commands, not asked for, not Linux, or already set).
 * @param {string | undefined} command
 * @param {NodeJS.ProcessEnv} env
 * @param {string} [platform]
 * @returns {NodeJS.ProcessEnv | null}
 */
export function hugePagesEnv(command, env, platform = process.platform) {
  if (command === undefined || !HUGE_PAGE_COMMANDS.has(command)) return null;
  return withHugePages(env, platform);
}

/**
 * `env` with the huge-page tunable added, or null when not applied (not asked for with
 * NATRIUM_HUGEPAGES=1, not Linux, or already set: see the module comment).
 * @param {NodeJS.ProcessEnv} env
 * @param {string} [platform]
 * @returns {NodeJS.ProcessEnv | null}
 */
export function withHugePages(env, platform = process.platform) {
  if (platform !== 'linux' || env.NATRIUM_HUGEPAGES !== '1') return null;
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes(TUNABLE)) return null;
  return { ...env, GLIBC_TUNABLES: tunables === '' ? `${TUNABLE}=1` : `${tunables}:${TUNABLE}=1` };
}

/** A benchmark case: `run` returns the fields of its JSON line (besides `case`). */
export interface BenchCase {
  name: string;
  /**
   * The `natrium` command whose work this case measures: the runner gives the case's process the
   * environment bin/natrium.js gives that command (with NATRIUM_HUGEPAGES=1, transparent huge
   * pages for the commands that hold a whole timeline, bin/hugepages.js).
   */
  command?: string;
  run(): Promise<Record<string, number | string | null>> | Record<string, number | string | null>;
}

/** Median of a sample (the figure every case reports). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

import { vi } from 'vitest';

/** Captures what a command run in-process writes to process.stderr (restore with vi.restoreAllMocks). */
export function stderrOf(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    lines.push(String(s));
    return true;
  });
  return lines;
}

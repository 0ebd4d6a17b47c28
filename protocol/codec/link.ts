/** LINK_STATS (the device's link counters) and CMD_REQUEST_LINK_STATS. */
import { MessageType, type CmdRequestLinkStats, type LinkStats } from '../messages.ts';
import type { Codec } from './codec.ts';
import { TRUNCATED, checkUint } from '../internal/wire.ts';

/** The counters in wire order, u32 each. */
export const LINK_STATS_FIELDS = [
  'framesOk',
  'crcErrors',
  'cobsErrors',
  'shortFrames',
  'oversizeRuns',
  'badVersions',
  'wrongDirection',
  'txDropped',
] as const satisfies readonly (keyof LinkStats)[];
export const LINK_STATS_SIZE = 4 * LINK_STATS_FIELDS.length;

export const linkStatsCodec: Codec<LinkStats> = {
  type: MessageType.LINK_STATS,
  size: () => LINK_STATS_SIZE,
  write(_b, v, o, m) {
    LINK_STATS_FIELDS.forEach((k, i) => v.setUint32(o + 4 * i, checkUint(k, m[k], 0xffffffff), true));
  },
  read(_b, v, o, len, seq, t_ms) {
    if (len < LINK_STATS_SIZE) return TRUNCATED;
    const m = { type: MessageType.LINK_STATS, seq, t_ms } as LinkStats & { seq: number; t_ms: number };
    LINK_STATS_FIELDS.forEach((k, i) => (m[k] = v.getUint32(o + 4 * i, true)));
    return m;
  },
};

export const requestLinkStatsCodec: Codec<CmdRequestLinkStats> = {
  type: MessageType.CMD_REQUEST_LINK_STATS,
  size: () => 0,
  write() {},
  read: (_b, _v, _o, _len, seq, t_ms) => ({ type: MessageType.CMD_REQUEST_LINK_STATS, seq, t_ms }),
};

/** The codec of every message type, and the lookup table the encoder and decoder use. */
import type { Message } from '../messages.ts';
import type { Codec } from './codec.ts';
import { balancingCodec, cellVoltagesCodec, temperaturesCodec } from './arrays.ts';
import { ackCodec, injectFaultCodec, nackCodec, requestInfoCodec, resetFaultsCodec, setRateCodec, setStateCodec } from './command.ts';
import { infoCodec } from './info.ts';
import { linkStatsCodec, requestLinkStatsCodec } from './link.ts';
import { simCellTruthCodec, simTruthCodec } from './sim.ts';
import { eventCodec, packStatusCodec } from './status.ts';

export type { Codec } from './codec.ts';

export const CODECS: readonly Codec[] = [
  infoCodec,
  packStatusCodec,
  cellVoltagesCodec,
  temperaturesCodec,
  balancingCodec,
  eventCodec,
  ackCodec,
  nackCodec,
  linkStatsCodec,
  simTruthCodec,
  simCellTruthCodec,
  requestInfoCodec,
  setStateCodec,
  resetFaultsCodec,
  setRateCodec,
  injectFaultCodec,
  requestLinkStatsCodec,
] as Codec<Message>[] as readonly Codec[];

/** CODEC_BY_TYPE[id]: the codec of message type id, or undefined. */
export const CODEC_BY_TYPE: readonly (Codec | undefined)[] = (() => {
  const t: (Codec | undefined)[] = new Array(256).fill(undefined);
  for (const c of CODECS) t[c.type] = c;
  return t;
})();

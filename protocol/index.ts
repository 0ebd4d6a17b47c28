/** natrium serial protocol: isomorphic core (Uint8Array / DataView only). See PROTOCOL.md. */
export * from './messages.ts';
export { crc32c, crc32cView, crc32cBytewise, CRC32C_CHECK, CRC32C_POLY_REFLECTED } from './crc.ts';
export { cobsEncode, cobsDecode, cobsMaxEncodedLength, COBS_ERROR } from './cobs.ts';
export { writeFrame, encodeFrame, rawFrame } from './frame.ts';
export { Encoder, type EncoderOptions } from './encoder.ts';
export { Decoder, decodeAll, newCounters, type DecoderCounters, type DecoderOptions, type DirectSink, type SkipReason } from './decoder.ts';
export { DeviceClock } from './clock.ts';
export { decodeCapture, type CaptureResult } from './capture.ts';
export { messageToJson, messageFromJson, type Json } from './json.ts';
export { chunkCellVoltages, chunkTemperatures } from './chunk.ts';
export {
  DeviceSession,
  blankStatus,
  DEFAULT_RATES_HZ,
  INFO_PERIOD_MS,
  PERIODIC_TYPES,
  type DeviceModel,
  type FrameSink,
  type PeriodicType,
  type SessionCounters,
  type SessionOptions,
} from './session.ts';
export { EmulatedDevice, type DeviceOptions } from './device.ts';
export { PacedLink, bytesPerSecond, type LinkCounters, type LinkOptions } from './link.ts';
export { LinkFaults, newLinkFaultCounters, type FaultedFrame, type LinkFaultCounters, type LinkFaultRates } from './linkfaults.ts';
export { HostSession, CommandTimeoutError, type HostOptions } from './host.ts';

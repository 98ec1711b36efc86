// SMP over a serial console, sending side (Zephyr doc/services/device_mgmt/smp_transport.rst,
// "UART/serial and console"; subsys/mgmt/mcumgr/transport/src/serial_util.c):
//
//   packet = length (2 bytes BE: the SMP message plus the 2 CRC bytes) | SMP message | CRC16 (BE)
//
// base64 encoded, then cut into frame lines of at most 127 bytes counting everything: the
// 2-byte marker (0x06 0x09 on the first line of a packet, 0x04 0x14 on the others), the base64
// and the closing '\n'. So a line carries at most 124 base64 characters, 93 raw bytes; we cut
// the one base64 string at multiples of 4 characters, as MCUboot's boot_serial.c does, which
// gives the same lines as Zephyr's 3-bytes-at-a-time encoder and lets every receiver decode
// each line on its own.
import { base64Encode } from './base64-groups.js';
import { crc16Xmodem } from './crc16-xmodem.js';

/** MCUMGR_SERIAL_HDR_PKT: the first line of a packet */
export const SMP_SERIAL_START = Uint8Array.of(0x06, 0x09);
/** MCUMGR_SERIAL_HDR_FRAG: every further line of the packet */
export const SMP_SERIAL_CONTINUE = Uint8Array.of(0x04, 0x14);
/** MCUMGR_SERIAL_MAX_FRAME: a line's bytes, marker and '\n' included */
export const SMP_SERIAL_MAX_FRAME = 127;
/** marker (2) + newline (1) + one base64 group (4): the shortest line that carries anything */
const MIN_FRAME = 7;
/** the length field is 16 bits and counts the CRC: messages up to 65533 bytes */
export const SMP_SERIAL_MAX_MESSAGE = 0xffff - 2;

export interface SmpSerialEncodeOptions {
  /** the longest line, marker and '\n' included (default 127, Zephyr's MCUMGR_SERIAL_MAX_FRAME) */
  maxFrame?: number;
  /**
   * Write the message length alone in the length field, without the CRC's 2 bytes, as Zephyr's
   * serial_util.c did before its 2022 rewrite. Only for a virtual board imitating that firmware.
   */
  lengthExcludesCrc?: boolean;
}

/** base64 characters per line for a line limit: whole groups only */
export const base64PerLine = (maxFrame: number): number => Math.floor((maxFrame - 3) / 4) * 4;

/** The frame lines of one SMP message, each ending in '\n'. Throws TypeError on a bad option or size. */
export function encodeSmpSerialFrames(message: Uint8Array, opts: SmpSerialEncodeOptions = {}): Uint8Array[] {
  const maxFrame = opts.maxFrame ?? SMP_SERIAL_MAX_FRAME;
  if (!(Number.isInteger(maxFrame) && maxFrame >= MIN_FRAME)) {
    throw new TypeError(`encodeSmpSerialFrames: maxFrame must be a whole number of bytes >= ${MIN_FRAME}, got ${String(maxFrame)}`);
  }
  if (message.length > SMP_SERIAL_MAX_MESSAGE) {
    throw new TypeError(`encodeSmpSerialFrames: a ${message.length}-byte message does not fit the 16-bit length field (at most ${SMP_SERIAL_MAX_MESSAGE} bytes)`);
  }
  const length = opts.lengthExcludesCrc ? message.length : message.length + 2;
  const crc = crc16Xmodem(message);
  const raw = new Uint8Array(2 + message.length + 2);
  raw[0] = length >> 8;
  raw[1] = length & 0xff;
  raw.set(message, 2);
  raw[raw.length - 2] = crc >> 8;
  raw[raw.length - 1] = crc & 0xff;
  const b64 = base64Encode(raw);
  const per = base64PerLine(maxFrame);
  const lines: Uint8Array[] = [];
  for (let off = 0; off < b64.length; off += per) {
    const chunk = b64.subarray(off, off + per);
    const line = new Uint8Array(2 + chunk.length + 1);
    line.set(off === 0 ? SMP_SERIAL_START : SMP_SERIAL_CONTINUE, 0);
    line.set(chunk, 2);
    line[line.length - 1] = 0x0a;
    lines.push(line);
  }
  return lines;
}

/** The frame lines of one message as one byte run, ready for the port. */
export function encodeSmpSerial(message: Uint8Array, opts: SmpSerialEncodeOptions = {}): Uint8Array {
  const lines = encodeSmpSerialFrames(message, opts);
  const out = new Uint8Array(lines.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of lines) {
    out.set(l, at);
    at += l.length;
  }
  return out;
}

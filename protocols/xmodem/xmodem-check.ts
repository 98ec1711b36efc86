// The two block checks of XMODEM: the original 8-bit arithmetic checksum (Christensen 1977) and
// CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final XOR; check value 0x31C3 for
// "123456789"), which the receiver asks for by sending 'C' instead of NAK (ymodem.txt ch. 4.2).
// Pure functions over bytes.

/** Sum of the bytes modulo 256. */
export function checksum8(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
  return sum & 0xff;
}

const CRC_TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[n] = crc;
  }
  return t;
})();

/** CRC-16/XMODEM of `bytes`; pass a previous result as `crc` to continue over several pieces. */
export function crc16Xmodem(bytes: Uint8Array, crc = 0): number {
  let c = crc & 0xffff;
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) & 0xffff) ^ CRC_TABLE[((c >>> 8) ^ bytes[i]!) & 0xff]!;
  return c;
}

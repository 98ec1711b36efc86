// The CRC of SMP over a serial console (Zephyr smp_transport.rst, "CRC Details": polynomial
// 0x1021, initial value 0, over the raw SMP message, sent big-endian after it). Zephyr computes
// it with crc16_itu_t(0x0000, ...); the catalogue name is CRC-16/XMODEM (no reflection, no final
// XOR; check value of "123456789": 0x31C3). Running it over a message followed by its own CRC
// (big-endian) leaves 0, which is how Zephyr's serial_util.c checks a packet.

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let v = b << 8;
    for (let i = 0; i < 8; i++) v = v & 0x8000 ? ((v << 1) ^ 0x1021) & 0xffff : (v << 1) & 0xffff;
    t[b] = v;
  }
  return t;
})();

/** Continue a CRC over more bytes (start from 0). */
export function crc16XmodemUpdate(crc: number, bytes: Uint8Array): number {
  let r = crc & 0xffff;
  for (const b of bytes) r = ((r << 8) & 0xffff) ^ TABLE[((r >> 8) ^ b) & 0xff]!;
  return r;
}

export function crc16Xmodem(bytes: Uint8Array): number {
  return crc16XmodemUpdate(0, bytes);
}

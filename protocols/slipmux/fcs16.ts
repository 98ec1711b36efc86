// The 16-bit FCS of RFC 1662 (PPP in HDLC-like framing), Appendix C.2: CRC-CCITT polynomial
// x^16 + x^12 + x^5 + 1 processed LSB first (0x8408 reflected), initial value 0xFFFF, sent as
// its ones' complement, least significant byte first. Catalogued as CRC-16/X-25 (check value
// of "123456789": 0x906E). Slipmux (draft-bormann-t2trg-slipmux §5, Configuration) uses it for
// CoAP frames. Table-driven, as RFC 1662 Appendix C.1 builds the table.

export const FCS16_INIT = 0xffff;
/** The FCS register after running over data followed by its own (complemented, LE) FCS. */
export const FCS16_GOOD = 0xf0b8;

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let v = b;
    for (let i = 0; i < 8; i++) v = v & 1 ? (v >>> 1) ^ 0x8408 : v >>> 1;
    t[b] = v;
  }
  return t;
})();

/** Run the FCS register over `bytes` (RFC 1662's pppfcs16). Start from FCS16_INIT. */
export function fcs16Update(fcs: number, bytes: Uint8Array): number {
  let r = fcs & 0xffff;
  for (const b of bytes) r = (r >>> 8) ^ TABLE[(r ^ b) & 0xff]!;
  return r;
}

/** The FCS to transmit for `bytes`: the complemented register. */
export function fcs16(bytes: Uint8Array): number {
  return fcs16Update(FCS16_INIT, bytes) ^ 0xffff;
}

/** `bytes` followed by their FCS, least significant byte first (RFC 1662 §C.2 tryfcs16). */
export function appendFcs16(bytes: Uint8Array): Uint8Array {
  const fcs = fcs16(bytes);
  const out = new Uint8Array(bytes.length + 2);
  out.set(bytes);
  out[bytes.length] = fcs & 0xff;
  out[bytes.length + 1] = fcs >>> 8;
  return out;
}

/** True when `bytes` end with a correct FCS over what precedes it (the "good FCS" test). */
export function checkFcs16(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && fcs16Update(FCS16_INIT, bytes) === FCS16_GOOD;
}

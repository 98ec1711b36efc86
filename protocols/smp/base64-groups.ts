// Base64 (RFC 4648 §4, standard alphabet) for the SMP console framing, decoded one 4-character
// group at a time. Every sender we know pads per group, never across a frame line: Zephyr's
// serial_util.c encodes 3 raw bytes into 4 characters at a time (its older version even ends a
// packet with two padded groups in a row, "xxxx" + "xx=="), and MCUboot, Python smp and newtmgr
// cut one base64 string at multiples of 4. So padding may end any group, and a decoder that
// wants one unpadded string (Node's lenient Buffer decoding, atob) would misread or drop such
// packets. Strict: anything outside the alphabet, or '=' where it cannot be, is an error.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='

const VALUE: Int8Array = (() => {
  const v = new Int8Array(256).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) v[ALPHABET.charCodeAt(i)] = i;
  return v;
})();

export function base64Encode(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), 'latin1'));
}

export type GroupsResult = { ok: true; bytes: Uint8Array } | { ok: false; offset: number; why: string };

/**
 * Decode `chars` (ASCII codes), whose length is a multiple of 4, group by group; a group may
 * end in '=' or '==' wherever it stands.
 */
export function decodeBase64Groups(chars: Uint8Array): GroupsResult {
  if (chars.length % 4 !== 0) return { ok: false, offset: chars.length, why: `${chars.length} characters is not a whole number of 4-character groups` };
  const out = new Uint8Array((chars.length / 4) * 3);
  let n = 0;
  for (let g = 0; g < chars.length; g += 4) {
    const c2 = chars[g + 2]!;
    const c3 = chars[g + 3]!;
    const pads = c3 === PAD ? (c2 === PAD ? 2 : 1) : 0;
    if (pads === 0 && c2 === PAD) return { ok: false, offset: g + 2, why: "'=' before a data character" };
    let acc = 0;
    for (let i = 0; i < 4 - pads; i++) {
      const v = VALUE[chars[g + i]!]!;
      if (v < 0) return { ok: false, offset: g + i, why: `0x${chars[g + i]!.toString(16).padStart(2, '0')} is not a base64 character` };
      acc |= v << (18 - 6 * i);
    }
    out[n++] = (acc >> 16) & 0xff;
    if (pads < 2) out[n++] = (acc >> 8) & 0xff;
    if (pads < 1) out[n++] = acc & 0xff;
  }
  return { ok: true, bytes: out.subarray(0, n) };
}

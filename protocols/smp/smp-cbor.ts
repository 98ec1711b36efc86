// CBOR for SMP bodies, through cbor-x set up to write what zcbor (Zephyr's decoder) reads:
// maps with minimal-size headers (variableMapSize), byte strings as plain major type 2 (no
// typed-array tag 64), integers above 32 bits as CBOR uint64 instead of cbor-x's float64
// default, and no record extension. Decoding gives plain objects and plain Uint8Arrays (not
// Buffers), so bodies compare with deepEqual; it never keeps state between two decodes.
import { Decoder, Encoder, type Options } from 'cbor-x';

/** A decoded SMP body: the top-level CBOR map, keys as strings. */
export type SmpBody = { [key: string]: unknown };

/** cbor-x reads uint64 as a number (exact up to 2^53) with this option, missing from its types. */
type DecoderOptions = Options & { int64AsNumber?: boolean };

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as DecoderOptions);

/** Numbers beyond 32 bits become BigInt so cbor-x writes them as integers, not as float64. */
function prepare(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && (v > 0xffffffff || v < -0x100000000) ? BigInt(v) : v;
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(prepare);
  const out: SmpBody = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = prepare(x);
  return out;
}

/** Buffers (what cbor-x decodes byte strings to) become plain Uint8Arrays, recursively. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(normalize);
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: SmpBody = {};
  for (const [k, x] of Object.entries(v)) out[k] = normalize(x);
  return out;
}

/** Encode a body (a map; undefined members are left out). Returns a fresh copy, not cbor-x's buffer. */
export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(prepare(value)));
}

export type CborResult = { ok: true; value: unknown } | { ok: false; truncated: boolean; reason: string };

/** Decode exactly one CBOR item filling `bytes`; never throws. */
export function decodeCbor(bytes: Uint8Array): CborResult {
  try {
    // a view of our own: cbor-x hangs a `dataView` property on the array it is given
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { ok: true, value: normalize(decoder.decode(view)) };
  } catch (e) {
    const truncated = typeof e === 'object' && e !== null && (e as { incomplete?: unknown }).incomplete === true;
    return { ok: false, truncated, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** A plain object decoded from a CBOR map (not an array, byte string, Date or other tagged value). */
export function isCborMap(v: unknown): v is SmpBody {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

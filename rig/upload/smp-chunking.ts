// How an SMP upload is cut into requests (Zephyr smp_group_1.rst, "Image upload"): every
// request carries "off" and "data"; the first (off 0) also "len" and "sha", so that a board which
// already holds part of the same file (the same sha) can answer with how far it got. The
// request for one chunk is built here from the chunk's bytes alone (uploadRequest in
// protocols/smp wants the whole file in memory), in the same key order.
//
// Sizing, like mcumgr clients that read the MCUmgr parameters: a whole request, SMP header and
// CBOR, must fit one of the board's buffers (buf_size); on a serial line the reassembled packet
// also carries the 2-byte length and the 2-byte CRC (smp_transport.rst). The window is
// buf_count - 1: one buffer stays free for the board's answer. Without parameters (an old
// board, a board that does not answer them) the safe defaults are 128 data bytes and one
// request at a time.
import { encodeSmp, SmpGroup, SmpOp } from '../../protocols/smp/smp-header.js';
import { ImageId } from '../../protocols/smp/smp-image-group.js';
import type { McumgrParams } from '../../protocols/smp/smp-os-group.js';
import type { SmpRequest } from '../../protocols/smp/smp-request.js';

export const DEFAULT_CHUNK = 128;
export const DEFAULT_WINDOW = 1;
/** the window we pick from buf_count at most (more rarely helps and fills a board's queue) */
export const AUTO_WINDOW_MAX = 16;
/** length field and CRC around a message on a serial line */
export const SERIAL_PACKET_OVERHEAD = 4;

export interface ChunkPlan {
  /** data bytes of the first chunk (it also carries len and sha) */
  first: number;
  /** data bytes of every other chunk */
  rest: number;
  window: number;
  /** where the numbers came from, for the log line */
  source: string;
}

/** The upload request for `data` at `off` of a `len`-byte file named by `sha`. */
export function chunkRequest(len: number, sha: Uint8Array, off: number, data: Uint8Array, opts: { image?: number; timeoutMs?: number } = {}): SmpRequest {
  const body: Record<string, unknown> = {};
  if (off === 0) {
    if (opts.image !== undefined) body.image = opts.image;
    body.len = len;
    body.sha = sha;
  }
  body.off = off;
  body.data = data;
  const req: SmpRequest = { op: SmpOp.Write, group: SmpGroup.Image, id: ImageId.Upload, body, name: `image upload at ${off}` };
  if (opts.timeoutMs !== undefined) req.timeoutMs = opts.timeoutMs;
  return req;
}

/** The size of the whole SMP message for a chunk of `n` data bytes at `off`. */
function messageSize(len: number, sha: Uint8Array, off: number, n: number, image?: number): number {
  const req = chunkRequest(len, sha, off, new Uint8Array(n), { image });
  return encodeSmp({ op: req.op, version: 1, flags: 0, group: req.group, seq: 0, id: req.id, body: req.body }).length;
}

/**
 * The most data bytes a chunk at `off` of a `len`-byte file may carry for its message to stay
 * within `limit` bytes (0 if not even an empty one fits), however much of the file is left.
 */
export function maxChunkData(len: number, sha: Uint8Array, off: number, limit: number, image?: number): number {
  if (messageSize(len, sha, off, 0, image) > limit) return 0;
  let lo = 0;
  let hi = Math.min(limit, 0xffff);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (messageSize(len, sha, off, mid, image) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface PlanInput {
  len: number;
  sha: Uint8Array;
  transport: 'serial' | 'udp';
  /** the board's parameters, when it answered */
  params?: McumgrParams;
  /** --chunk: data bytes per request, overriding the parameters */
  chunk?: number;
  /** --window */
  window?: number;
  image?: number;
}

/** Chunk sizes and window from the board's parameters, the user's overrides, or the safe defaults. */
export function planChunks(p: PlanInput): ChunkPlan {
  // the "off" of any later chunk is below len: sizing for len covers every offset's CBOR width
  const lastOff = Math.max(1, p.len);
  let plan: ChunkPlan;
  if (p.params) {
    const limit = p.params.bufSize - (p.transport === 'serial' ? SERIAL_PACKET_OVERHEAD : 0);
    const first = maxChunkData(p.len, p.sha, 0, limit, p.image);
    const rest = maxChunkData(p.len, p.sha, lastOff, limit, p.image);
    plan = { first, rest, window: Math.min(AUTO_WINDOW_MAX, Math.max(1, p.params.bufCount - 1)), source: `board: buf_size ${p.params.bufSize}, buf_count ${p.params.bufCount}` };
    if (first === 0 || rest === 0) plan = { first: DEFAULT_CHUNK, rest: DEFAULT_CHUNK, window: DEFAULT_WINDOW, source: `board's buf_size ${p.params.bufSize} is too small for an upload request; defaults` };
  } else {
    plan = { first: DEFAULT_CHUNK, rest: DEFAULT_CHUNK, window: DEFAULT_WINDOW, source: 'defaults (the board did not answer MCUmgr parameters)' };
  }
  if (p.chunk !== undefined) plan = { ...plan, first: p.chunk, rest: p.chunk, source: `${plan.source}; --chunk ${p.chunk}` };
  if (p.window !== undefined) plan = { ...plan, window: p.window, source: `${plan.source}; --window ${p.window}` };
  return plan;
}

/** Data bytes of the chunk at `off`. */
export function chunkAt(plan: ChunkPlan, len: number, off: number): number {
  return Math.min(off === 0 ? plan.first : plan.rest, len - off);
}

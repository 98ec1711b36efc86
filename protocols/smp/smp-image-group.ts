// Group 1, application image management (Zephyr smp_groups/smp_group_1.rst): image state read
// and write (id 0), upload (id 1), erase (id 5). Builders and readers; readers throw
// SmpResponseError on an SMP error or a body without the fields the document gives.
import { createHash } from 'node:crypto';
import { encodeSmp, SmpGroup, type SmpMessage, SmpOp } from './smp-header.js';
import { field, isBool, isBytes, isString, isUint, SmpResponseError, type SmpRequest, successBody } from './smp-request.js';

export const ImageId = { State: 0, Upload: 1, File: 2, CoreList: 3, CoreLoad: 4, Erase: 5, SlotInfo: 6 } as const;

/** What a slot holds, as the state response lists it. */
export interface ImageSlotState {
  /** the image number; absent when the application has one image */
  image?: number;
  /** 0 primary (running), 1 secondary (where uploads go) */
  slot: number;
  version: string;
  /** the image's SHA-256 TLV (MCUboot's hash of header + body), not a hash of the file */
  hash?: Uint8Array;
  bootable: boolean;
  pending: boolean;
  confirmed: boolean;
  active: boolean;
  permanent: boolean;
}

export interface ImageState {
  images: ImageSlotState[];
  splitStatus?: number;
}

export function imageStateRequest(): SmpRequest {
  return { op: SmpOp.Read, group: SmpGroup.Image, id: ImageId.State, body: {}, name: 'image state' };
}

/**
 * Mark an image for test (confirm false: swapped in on the next boot, reverted unless it confirms
 * itself) or confirm one (confirm true; without a hash, the running image). The hash is the
 * image's SHA-256 TLV, sent as a byte string: the document types it (str), but Zephyr's
 * img_mgmt_state_write decodes it with zcbor_bstr_decode, as do the clients.
 */
export function imageStateWriteRequest(opts: { hash?: Uint8Array; confirm: boolean }): SmpRequest {
  const body: Record<string, unknown> = { confirm: opts.confirm };
  if (opts.hash !== undefined) body.hash = opts.hash;
  return { op: SmpOp.Write, group: SmpGroup.Image, id: ImageId.State, body, name: opts.confirm ? 'image confirm' : 'image test' };
}

/** The state read answer (and the state write answer, which has the same form). */
export function readImageState(res: SmpMessage): ImageState {
  const what = 'image state';
  const body = successBody(res, what);
  const list = body.images;
  if (!Array.isArray(list)) throw new SmpResponseError(`${what}: the response has no "images" array`, res);
  const flag = (e: Record<string, unknown>, k: string): boolean => e[k] === true;
  const images = list.map((e: unknown, i): ImageSlotState => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new SmpResponseError(`${what}: images[${i}] is not a map`, res);
    const m = e as Record<string, unknown>;
    const at = `${what}, images[${i}]`;
    const s: ImageSlotState = {
      slot: field(res, m, 'slot', isUint, 'unsigned integer', at),
      version: field(res, m, 'version', isString, 'string', at),
      bootable: flag(m, 'bootable'),
      pending: flag(m, 'pending'),
      confirmed: flag(m, 'confirmed'),
      active: flag(m, 'active'),
      permanent: flag(m, 'permanent'),
    };
    if (m.image !== undefined) s.image = field(res, m, 'image', isUint, 'unsigned integer', at);
    if (m.hash !== undefined) s.hash = field(res, m, 'hash', isBytes, 'byte string', at);
    return s;
  });
  const out: ImageState = { images };
  if (typeof body.splitStatus === 'number') out.splitStatus = body.splitStatus;
  return out;
}

/**
 * How the first chunk names the upload in "sha". 'full' (default): the SHA-256 of the whole file,
 * which smp_group_1.rst asks for and which newer Zephyr checks at the end ("match"; Nordic's
 * Android library notes the server wants all 32 bytes since NCS 2.4). A number n: its first n
 * bytes, as older clients did (JuulLabs' Kotlin mcumgr sent 3). Zephyr's img_mgmt and Mynewt's
 * imgmgr accept a sha "trimmed to any length" up to 32 bytes as the tag for resuming an upload,
 * but only a full one can be checked.
 * 'none': no "sha" (no resumption, no check).
 */
export type UploadSha = 'full' | 'none' | number;

export interface UploadOptions {
  /** the image number (default: absent, which the device takes as 0) */
  image?: number;
  sha?: UploadSha;
  /** refuse anything not newer than the running version */
  upgrade?: boolean;
}

/** SHA-256 of the whole file, the "sha" an upload announces (not the image's own hash TLV). */
export function uploadSha(file: Uint8Array, form: UploadSha = 'full'): Uint8Array | undefined {
  if (form === 'none') return undefined;
  const full = new Uint8Array(createHash('sha256').update(file).digest());
  if (form === 'full') return full;
  if (!(Number.isInteger(form) && form >= 1 && form <= 32)) throw new TypeError(`uploadSha: a truncated sha is 1 to 32 bytes, got ${String(form)}`);
  return full.slice(0, form);
}

/**
 * The upload request for `file[off, off + size)`. At offset 0 it carries what only the first chunk
 * carries ("image", "len", "sha", "upgrade"): also when a device answered off 0 to restart,
 * since the document says the client must then send them again.
 */
export function uploadRequest(file: Uint8Array, off: number, size: number, opts: UploadOptions = {}): SmpRequest {
  if (!(Number.isInteger(off) && off >= 0 && off <= file.length)) throw new TypeError(`uploadRequest: offset ${String(off)} is outside the ${file.length}-byte file`);
  if (!(Number.isInteger(size) && size >= 0)) throw new TypeError(`uploadRequest: chunk size must be a whole number >= 0, got ${String(size)}`);
  const body: Record<string, unknown> = {};
  if (off === 0) {
    if (opts.image !== undefined) body.image = opts.image;
    body.len = file.length;
    const sha = uploadSha(file, opts.sha);
    if (sha) body.sha = sha;
    if (opts.upgrade !== undefined) body.upgrade = opts.upgrade;
  }
  body.off = off;
  body.data = file.subarray(off, Math.min(file.length, off + size));
  return { op: SmpOp.Write, group: SmpGroup.Image, id: ImageId.Upload, body, name: `image upload at ${off}` };
}

export interface UploadProgress {
  /** where the device wants the next chunk (the bytes it has so far) */
  off: number;
  /** on the last chunk, with CONFIG_IMG_ENABLE_IMAGE_CHECK: does the data match the announced sha */
  match?: boolean;
}

export function readUpload(res: SmpMessage): UploadProgress {
  const what = 'image upload';
  const body = successBody(res, what);
  const out: UploadProgress = { off: field(res, body, 'off', isUint, 'unsigned integer', what) };
  if (body.match !== undefined) out.match = field(res, body, 'match', isBool, 'boolean', what);
  return out;
}

/**
 * The most data bytes an upload chunk at `off` may carry for the whole SMP message (header and
 * CBOR) to stay within `limit` bytes, e.g. the device's buf_size less any transport overhead.
 * 0 when not even an empty chunk fits.
 */
export function maxUploadData(file: Uint8Array, off: number, limit: number, opts: UploadOptions = {}): number {
  const req = uploadRequest(file, off, 0, opts);
  const sizeWith = (n: number): number => encodeSmp({ ...req, body: { ...req.body, data: file.subarray(off, off + n) }, version: 0, flags: 0, seq: 0 }).length;
  const left = file.length - off;
  let lo = 0;
  let hi = Math.min(left, limit);
  if (sizeWith(0) > limit) return 0;
  // the message grows with the data, one byte a byte plus the byte string's header steps
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sizeWith(mid) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Erase a slot (default, as the device assumes: 1, the secondary). Synchronous on the device: it can take long. */
export function imageEraseRequest(slot?: number): SmpRequest {
  return { op: SmpOp.Write, group: SmpGroup.Image, id: ImageId.Erase, body: slot === undefined ? {} : { slot }, name: 'image erase' };
}

export function readErase(res: SmpMessage): void {
  successBody(res, 'image erase');
}

// Group 1, image upload (id 1), as Zephyr's img_mgmt_upload and img_mgmt_upload_inspect answer
// it (smp_group_1.rst, "Image upload"):
// - off 0 starts an upload: "len", "sha" (any length up to 32) and the image header in "data"
//   are checked; an image larger than the secondary slot's image area (the slot less its
//   MCUboot trailer) is refused with IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE; a slot in use
//   (pending, or holding the confirmed image a revert restores) with IMG_MGMT_ERR_NO_FREE_SLOT.
//   Off 0 with the "sha" and "len" of the upload in progress resumes it: the answer carries the
//   offset reached and nothing is written;
// - later chunks must come at the offset the board expects; any other "off" is answered with the
//   expected one and the data dropped (a retransmission after a lost answer is not written
//   twice: NOR flash programs a block once between erases);
// - every good answer is `{ rc: 0, off }` (rc because Zephyr's CONFIG_MCUMGR_SMP_LEGACY_RC_
//   BEHAVIOUR puts it there; clients take rc 0 as success in both versions);
// - the last chunk: the partial write block is flushed, and a full 32-byte "sha" is checked
//   against the slot's bytes (CONFIG_IMG_ENABLE_IMAGE_CHECK, answered with "match"). On a
//   mismatch this board is stricter than Zephyr, which answers `match: false` and leaves the
//   image: it answers IMG_MGMT_ERR_INVALID_HASH and erases the slot's first sector, so the image
//   cannot be tested or booted.
// The upload state lives in the boot's RAM (SmpEnv.upload): a reset loses it, the flash keeps
// what was written, and a client that comes back gets `off: 0` for anything but a new upload.
import { createHash } from 'node:crypto';
import { IMAGE_HEADER_SIZE, IMAGE_MAGIC, type ImageVersion } from '../../../protocols/mcuboot/image.js';
import type { SmpMessage } from '../../../protocols/smp/smp-header.js';
import { SmpBug } from '../services/smp-bugs.js';
import { boolField, bytesField, type SmpEnv, type UploadSession, uintField } from './smp-env.js';
import { IMG, imgError, MGMT, mgmtError, ok, type SmpResult } from './smp-replies.js';
import { UploadWriter } from './upload-writer.js';

const SHA256_LEN = 32;
const SECONDARY = 1;
const EMPTY = new Uint8Array(0);

export function imageUpload(env: SmpEnv, req: SmpMessage): SmpResult {
  const body = req.body ?? {};
  const image = uintField(body, 'image');
  const data = bytesField(body, 'data');
  const len = uintField(body, 'len');
  const off = uintField(body, 'off');
  const sha = bytesField(body, 'sha');
  const upgrade = boolField(body, 'upgrade');
  if ([image, data, len, off, sha, upgrade].includes('bad')) return mgmtError(MGMT.EINVAL, 'a field of the upload request has the wrong type');
  const chunk = (data as Uint8Array | undefined) ?? EMPTY;
  if (off === undefined) return imgError(IMG.INVALID_OFFSET, 'the request has no "off"');
  if (off === 0) {
    return firstChunk(env, chunk, {
      image: image as number | undefined,
      len: len as number | undefined,
      sha: (sha as Uint8Array | undefined) ?? EMPTY,
      upgrade: upgrade === true,
    });
  }
  return nextChunk(env, off as number, chunk);
}

interface FirstChunkFields {
  image: number | undefined;
  len: number | undefined;
  sha: Uint8Array;
  upgrade: boolean;
}

function firstChunk(env: SmpEnv, chunk: Uint8Array, f: FirstChunkFields): SmpResult {
  if (chunk.length < IMAGE_HEADER_SIZE) return imgError(IMG.INVALID_IMAGE_HEADER, `the first chunk has ${chunk.length} bytes, fewer than the ${IMAGE_HEADER_SIZE}-byte image header`);
  if (f.len === undefined) return imgError(IMG.INVALID_LENGTH, 'the first chunk has no "len"');
  const dv = new DataView(chunk.buffer, chunk.byteOffset, IMAGE_HEADER_SIZE);
  if (dv.getUint32(0, true) !== IMAGE_MAGIC) return imgError(IMG.INVALID_IMAGE_HEADER_MAGIC, 'the data does not start with an MCUboot image header');
  if (f.sha.length > SHA256_LEN) return imgError(IMG.INVALID_HASH, `"sha" has ${f.sha.length} bytes, more than 32`);

  const s = env.upload;
  if (f.sha.length > 0 && s && sameBytes(s.sha, f.sha) && s.size === f.len) {
    env.log('inf', `upload resumed at ${s.off} of ${s.size} bytes`);
    return progress(env, s.off);
  }
  if ((f.image ?? 0) !== 0) return imgError(IMG.NO_FREE_SLOT, `this board has one image; there is no slot for image ${f.image}`);
  if (!env.flash.ids.includes(SECONDARY)) return imgError(IMG.NO_FREE_SLOT, 'this board has no secondary slot');
  const inSlot = env.flash.imageList().find((i) => i.slot === SECONDARY);
  if (inSlot && (inSlot.pending || inSlot.confirmed)) {
    return imgError(IMG.NO_FREE_SLOT, `slot ${SECONDARY} holds the ${inSlot.pending ? 'pending' : 'confirmed'} image; confirm or reset first`);
  }
  const area = env.flash.imageArea(SECONDARY);
  if (f.len > area && !env.bug(SmpBug.OversizeAccepted)) {
    return imgError(IMG.INVALID_IMAGE_TOO_LARGE, `an image of ${f.len} bytes does not fit the ${area} bytes of slot ${SECONDARY} before its trailer`);
  }
  if (f.upgrade) {
    const running = env.flash.check(0)?.header.version;
    if (running && compareVersions(headerVersion(dv), running) <= 0) return imgError(IMG.CURRENT_VERSION_IS_NEWER, 'upgrade only: the image is not newer than the running one');
  }
  if (chunk.length > f.len) return imgError(IMG.INVALID_IMAGE_DATA_OVERRUN, `the first chunk has ${chunk.length} bytes, more than "len" ${f.len}`);

  const session: UploadSession = {
    size: f.len,
    sha: f.sha.slice(),
    off: 0,
    writer: new UploadWriter(env.flash, SECONDARY, { eraseLate: env.bug(SmpBug.SectorOffByOne) }),
  };
  env.upload = session;
  env.log('inf', `upload of ${f.len} bytes into slot ${SECONDARY} started`);
  return write(env, session, chunk);
}

function nextChunk(env: SmpEnv, off: number, chunk: Uint8Array): SmpResult {
  const s = env.upload;
  // no upload in progress: Zephyr expects offset 0 (its state was reset)
  if (!s) return progress(env, 0);
  if (off !== s.off) {
    const retransmission = off < s.off;
    const writeAnyway = env.bug(SmpBug.OffIgnored) || (retransmission && env.bug(SmpBug.DuplicateChunkWritten));
    if (!writeAnyway) return progress(env, s.off);
  }
  if (s.off + chunk.length > s.size) return imgError(IMG.INVALID_IMAGE_DATA_OVERRUN, `data past "len" ${s.size}: ${chunk.length} bytes at ${s.off}`);
  return write(env, s, chunk);
}

/** Stream a chunk in at the session's offset; the last one flushes and checks. */
function write(env: SmpEnv, s: UploadSession, chunk: Uint8Array): SmpResult {
  let ms = s.writer.write(chunk);
  s.off += chunk.length;
  if (s.off < s.size) return progress(env, s.off, ms);

  ms += s.writer.finish();
  env.upload = undefined;
  const match = checkSha(env, s);
  if (match === false) {
    ms += env.flash.erase(SECONDARY, 0, env.flash.flash.sectorSize).ms;
    env.log('err', 'uploaded image sha256 hash verification failed; slot 1 erased');
    return imgError(IMG.INVALID_HASH, 'the uploaded data does not match "sha"; the image was erased', ms);
  }
  env.log('inf', `upload complete: ${s.size} bytes in slot ${SECONDARY}${match ? ', sha256 matches' : ''}`);
  const r = progress(env, s.off, ms);
  if (match !== undefined && r.outcome.kind === 'ok') r.outcome.body.match = match;
  return r;
}

/** Does the slot hold the bytes "sha" names: undefined when it cannot tell (no full sha). */
function checkSha(env: SmpEnv, s: UploadSession): boolean | undefined {
  if (env.bug(SmpBug.ShaNotChecked)) return true;
  if (s.sha.length !== SHA256_LEN) return undefined;
  const n = Math.min(s.size, env.flash.imageArea(SECONDARY));
  const actual = createHash('sha256').update(env.flash.read(SECONDARY, 0, n)).digest();
  return n === s.size && sameBytes(new Uint8Array(actual), s.sha);
}

/** The good answer: where the board wants the next chunk. */
function progress(env: SmpEnv, off: number, ms = 0): SmpResult {
  const told = env.bug(SmpBug.WrongOffAnswer) ? off + env.flash.flash.writeSize : off;
  return ok({ rc: 0, off: told }, ms);
}

function headerVersion(dv: DataView): ImageVersion {
  return { major: dv.getUint8(20), minor: dv.getUint8(21), revision: dv.getUint16(22, true), build: dv.getUint32(24, true) };
}

/** img_mgmt_vercmp: major, minor, revision (the build number does not count). */
function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// Group 1, image state (id 0) and erase (id 5), Zephyr smp_group_1.rst and img_mgmt_state.c:
// - read: the slot list as FlashSlots.imageList() models img_mgmt's flags, every flag written
//   (Zephyr without CONFIG_MCUMGR_GRP_IMG_FRUGAL_LIST), no "image" key (one image), splitStatus 0;
// - write: `confirm: false` + hash = test the image with that hash at the next boot; `confirm:
//   true` without a hash (or the running image's) = confirm the running image, with slot 1's hash
//   = swap it in permanently. Answered with the new slot list;
// - erase: a slot (default 1) that is not in use (running, pending, or holding the confirmed image
//   a revert will restore), whole, at the flash's erase speed.
import type { SmpBody, SmpMessage } from '../../../protocols/smp/smp-header.js';
import type { ImageStateRefusal, ImageStateResult, SlotId } from '../flash/index.js';
import { boolField, bytesField, type SmpEnv, uintField } from './smp-env.js';
import { IMG, imgError, MGMT, mgmtError, ok, type SmpResult } from './smp-replies.js';

const SHA256_LEN = 32;

/** The state response body: what `image list` shows. */
export function imageListBody(env: SmpEnv): SmpBody {
  const images = env.flash.imageList().map((s) => ({
    slot: s.slot,
    version: s.version,
    ...(s.hash ? { hash: s.hash } : {}),
    bootable: s.bootable,
    pending: s.pending,
    confirmed: s.confirmed,
    active: s.active,
    permanent: s.permanent,
  }));
  return { images, splitStatus: 0 };
}

export function imageStateRead(env: SmpEnv): SmpResult {
  return ok(imageListBody(env));
}

const REFUSALS: Record<ImageStateRefusal, number> = {
  'hash-not-found': IMG.HASH_NOT_FOUND,
  'image-invalid': IMG.NO_IMAGE,
  'invalid-slot': IMG.IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
  'already-confirmed': IMG.IMAGE_CONFIRMATION_DENIED,
  'bad-trailer': IMG.UNKNOWN,
};

export function imageStateWrite(env: SmpEnv, req: SmpMessage): SmpResult {
  const body = req.body ?? {};
  const hash = bytesField(body, 'hash');
  const confirm = boolField(body, 'confirm');
  if (hash === 'bad' || confirm === 'bad') return mgmtError(MGMT.EINVAL, '"hash" must be a byte string and "confirm" a boolean');
  if (hash !== undefined && hash.length !== SHA256_LEN) return imgError(IMG.INVALID_HASH, `"hash" must be the image's 32-byte SHA-256, got ${hash.length} bytes`);
  let r: ImageStateResult;
  if (confirm === true) {
    r = env.flash.confirm(hash);
  } else {
    if (hash === undefined) return mgmtError(MGMT.EINVAL, 'testing an image needs its "hash"');
    r = env.flash.markPending(hash, false);
  }
  if (!r.ok) return imgError(REFUSALS[r.reason], r.message);
  env.log('inf', confirm === true ? 'image confirmed' : 'image marked for test at the next boot');
  return ok(imageListBody(env), r.ms);
}

export function imageErase(env: SmpEnv, req: SmpMessage): SmpResult {
  const slot = uintField(req.body ?? {}, 'slot') ?? 1;
  if (slot === 'bad') return mgmtError(MGMT.EINVAL, '"slot" must be an unsigned integer');
  if (!(env.flash.ids as number[]).includes(slot)) return imgError(IMG.INVALID_SLOT, `this board has no slot ${slot}`);
  const s = env.flash.imageList().find((i) => i.slot === slot);
  if (s && (s.active || s.pending || s.confirmed)) {
    return imgError(IMG.NO_FREE_SLOT, `slot ${slot} is in use (${s.active ? 'running' : s.pending ? 'pending' : 'holds the confirmed image'})`);
  }
  const ms = env.flash.eraseSlot(slot as SlotId).ms;
  env.upload = undefined;
  env.log('inf', `slot ${slot} erased`);
  // Zephyr with CONFIG_MCUMGR_SMP_LEGACY_RC_BEHAVIOUR answers rc 0 on success
  return ok({ rc: 0 }, ms);
}

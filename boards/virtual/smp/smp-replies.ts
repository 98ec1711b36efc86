// What an SMP command handler answers, and how that becomes a response body in the version the
// request asked for (Zephyr smp_protocol.rst, "Minimal response"; smp.c, smp_add_cmd_err):
// - a success: the handler's map;
// - an SMP-level error (mcumgr_err_t: EINVAL, EMSGSIZE, ENOTSUP...): `rc` in both versions;
// - a group error (IMG_MGMT_ERR_*): SMP v2 `err: { group, rc }`; SMP v1 has no group errors,
//   so the group translates its code into an mcumgr_err_t for `rc`, as Zephyr does with
//   CONFIG_MCUMGR_SMP_SUPPORT_ORIGINAL_PROTOCOL (img_mgmt_translate_error_code,
//   os_mgmt_translate_error_code).
// Errors carry `rsn`, Zephyr's reason string (CONFIG_MCUMGR_SMP_VERBOSE_ERR_RESPONSE), because a
// rig that shows why a board refused is worth the bytes.
import { ImgMgmtErr, MgmtErr } from '../../../protocols/smp/smp-errors.js';
import { type SmpBody, SmpGroup, type SmpMessage, SmpVersion } from '../../../protocols/smp/smp-header.js';

export type SmpOutcome =
  | { kind: 'ok'; body: SmpBody }
  | { kind: 'mgmt-error'; rc: number; rsn?: string }
  | { kind: 'group-error'; group: number; rc: number; rsn?: string };

/** What a handler returns: the outcome and the flash busy time it cost (ms, unscaled). */
export interface SmpResult {
  outcome: SmpOutcome;
  flashMs: number;
}

export const ok = (body: SmpBody, flashMs = 0): SmpResult => ({ outcome: { kind: 'ok', body }, flashMs });
export const mgmtError = (rc: number, rsn?: string, flashMs = 0): SmpResult => ({ outcome: { kind: 'mgmt-error', rc, ...(rsn ? { rsn } : {}) }, flashMs });
export const imgError = (rc: number, rsn?: string, flashMs = 0): SmpResult => ({ outcome: { kind: 'group-error', group: SmpGroup.Image, rc, ...(rsn ? { rsn } : {}) }, flashMs });

const M = MgmtErr as Record<string, number>;
const I = ImgMgmtErr as Record<string, number>;
const code = (table: Record<string, number>, name: string): number => {
  const n = table[name];
  if (n === undefined) throw new TypeError(`no error code named ${name}`);
  return n;
};

export const MGMT = {
  EUNKNOWN: code(M, 'EUNKNOWN'),
  ENOMEM: code(M, 'ENOMEM'),
  EINVAL: code(M, 'EINVAL'),
  ENOENT: code(M, 'ENOENT'),
  EBADSTATE: code(M, 'EBADSTATE'),
  EMSGSIZE: code(M, 'EMSGSIZE'),
  ENOTSUP: code(M, 'ENOTSUP'),
  UNSUPPORTED_TOO_NEW: code(M, 'UNSUPPORTED_TOO_NEW'),
} as const;

export const IMG = {
  UNKNOWN: code(I, 'UNKNOWN'),
  NO_IMAGE: code(I, 'NO_IMAGE'),
  HASH_NOT_FOUND: code(I, 'HASH_NOT_FOUND'),
  NO_FREE_SLOT: code(I, 'NO_FREE_SLOT'),
  INVALID_SLOT: code(I, 'INVALID_SLOT'),
  INVALID_OFFSET: code(I, 'INVALID_OFFSET'),
  INVALID_LENGTH: code(I, 'INVALID_LENGTH'),
  INVALID_IMAGE_HEADER: code(I, 'INVALID_IMAGE_HEADER'),
  INVALID_IMAGE_HEADER_MAGIC: code(I, 'INVALID_IMAGE_HEADER_MAGIC'),
  INVALID_HASH: code(I, 'INVALID_HASH'),
  CURRENT_VERSION_IS_NEWER: code(I, 'CURRENT_VERSION_IS_NEWER'),
  INVALID_IMAGE_TOO_LARGE: code(I, 'INVALID_IMAGE_TOO_LARGE'),
  INVALID_IMAGE_DATA_OVERRUN: code(I, 'INVALID_IMAGE_DATA_OVERRUN'),
  IMAGE_CONFIRMATION_DENIED: code(I, 'IMAGE_CONFIRMATION_DENIED'),
  IMAGE_SETTING_TEST_TO_ACTIVE_DENIED: code(I, 'IMAGE_SETTING_TEST_TO_ACTIVE_DENIED'),
} as const;

/** img_mgmt_translate_error_code: the image group's codes as SMP v1 reports them. */
function imgToMgmt(rc: number): number {
  switch (rc) {
    case IMG.NO_IMAGE:
    case code(I, 'NO_TLVS'):
      return MGMT.ENOENT;
    case IMG.NO_FREE_SLOT:
    case IMG.CURRENT_VERSION_IS_NEWER:
    case code(I, 'IMAGE_ALREADY_PENDING'):
      return MGMT.EBADSTATE;
    case code(I, 'NO_FREE_MEMORY'):
      return MGMT.ENOMEM;
    case IMG.INVALID_SLOT:
    case code(I, 'INVALID_PAGE_OFFSET'):
    case IMG.INVALID_OFFSET:
    case IMG.INVALID_LENGTH:
    case IMG.INVALID_IMAGE_HEADER:
    case IMG.INVALID_HASH:
    case code(I, 'INVALID_FLASH_ADDRESS'):
      return MGMT.EINVAL;
    default:
      return MGMT.EUNKNOWN;
  }
}

/** os_mgmt_translate_error_code (only the codes this board's OS group can give). */
function osToMgmt(rc: number): number {
  return rc === 2 /* OS_MGMT_ERR_INVALID_FORMAT */ ? MGMT.EINVAL : MGMT.EUNKNOWN;
}

/** The response body for `outcome`, in the SMP version of `req`. */
export function responseBody(req: Pick<SmpMessage, 'version'>, outcome: SmpOutcome): SmpBody {
  const rsn = (o: { rsn?: string }): SmpBody => (o.rsn ? { rsn: o.rsn } : {});
  switch (outcome.kind) {
    case 'ok':
      return outcome.body;
    case 'mgmt-error':
      return { rc: outcome.rc, ...rsn(outcome) };
    case 'group-error':
      if (req.version === SmpVersion.V2) return { err: { group: outcome.group, rc: outcome.rc }, ...rsn(outcome) };
      return { rc: outcome.group === SmpGroup.Image ? imgToMgmt(outcome.rc) : osToMgmt(outcome.rc), ...rsn(outcome) };
  }
}

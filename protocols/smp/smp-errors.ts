// SMP errors as a device reports them (Zephyr smp_protocol.rst, "Minimal response"):
// - SMP v1 (and SMP-level errors in v2): `rc`, an mcumgr_err_t (MGMT_ERR_*), maybe with `rsn`;
// - SMP v2: `err: { group, rc }`, rc being the group's own code (IMG_MGMT_ERR_* for images).
// A response without either (or with 0) is a success. Names and numbers follow Zephyr's
// mgmt_defines.h and the groups' headers (img_mgmt.h, os_mgmt.h, ...); the short meanings are ours.
import { isCborMap, type SmpBody } from './smp-cbor.js';
import { SmpGroup } from './smp-header.js';

export type SmpError =
  | { kind: 'rc'; rc: number; rsn?: string }
  | { kind: 'group'; group: number; rc: number; rsn?: string };

/** mcumgr_err_t: [name, meaning], by number */
const MGMT_ERRORS: readonly (readonly [string, string])[] = [
  ['MGMT_ERR_EOK', 'no error'],
  ['MGMT_ERR_EUNKNOWN', 'unknown error'],
  ['MGMT_ERR_ENOMEM', 'out of memory (often: the response did not fit the buffer)'],
  ['MGMT_ERR_EINVAL', 'invalid value in the request'],
  ['MGMT_ERR_ETIMEOUT', 'operation timed out'],
  ['MGMT_ERR_ENOENT', 'no such entry'],
  ['MGMT_ERR_EBADSTATE', 'the current state does not allow the command'],
  ['MGMT_ERR_EMSGSIZE', 'response too large'],
  ['MGMT_ERR_ENOTSUP', 'command not supported'],
  ['MGMT_ERR_ECORRUPT', 'corrupt data'],
  ['MGMT_ERR_EBUSY', 'busy with another command'],
  ['MGMT_ERR_EACCESSDENIED', 'access denied'],
  ['MGMT_ERR_UNSUPPORTED_TOO_OLD', 'the requested SMP version is too old for this device'],
  ['MGMT_ERR_UNSUPPORTED_TOO_NEW', 'the requested SMP version is too new for this device'],
];
/** MGMT_ERR_EPERUSER: application-defined codes start here */
export const MGMT_ERR_EPERUSER = 256;

export const MgmtErr = Object.fromEntries(MGMT_ERRORS.map(([name], i) => [name.replace(/^MGMT_ERR_/, ''), i])) as Readonly<Record<string, number>>;

/** img_mgmt_err_code_t */
const IMG_ERRORS: readonly (readonly [string, string])[] = [
  ['IMG_MGMT_ERR_OK', 'no error'],
  ['IMG_MGMT_ERR_UNKNOWN', 'unknown error'],
  ['IMG_MGMT_ERR_FLASH_CONFIG_QUERY_FAIL', 'could not query the flash area configuration'],
  ['IMG_MGMT_ERR_NO_IMAGE', 'no image in the slot'],
  ['IMG_MGMT_ERR_NO_TLVS', 'the image has no TLV area'],
  ['IMG_MGMT_ERR_INVALID_TLV', 'the image has a TLV of invalid type or length'],
  ['IMG_MGMT_ERR_TLV_MULTIPLE_HASHES_FOUND', 'the image has several hash TLVs'],
  ['IMG_MGMT_ERR_TLV_INVALID_SIZE', 'the image has a TLV of invalid size'],
  ['IMG_MGMT_ERR_HASH_NOT_FOUND', 'no image with that hash (or the image has no hash TLV)'],
  ['IMG_MGMT_ERR_NO_FREE_SLOT', 'no free slot to upload into'],
  ['IMG_MGMT_ERR_FLASH_OPEN_FAILED', 'opening the flash area failed'],
  ['IMG_MGMT_ERR_FLASH_READ_FAILED', 'reading flash failed'],
  ['IMG_MGMT_ERR_FLASH_WRITE_FAILED', 'writing flash failed'],
  ['IMG_MGMT_ERR_FLASH_ERASE_FAILED', 'erasing flash failed'],
  ['IMG_MGMT_ERR_INVALID_SLOT', 'invalid slot'],
  ['IMG_MGMT_ERR_NO_FREE_MEMORY', 'out of heap memory'],
  ['IMG_MGMT_ERR_FLASH_CONTEXT_ALREADY_SET', 'the flash context is already set'],
  ['IMG_MGMT_ERR_FLASH_CONTEXT_NOT_SET', 'the flash context is not set'],
  ['IMG_MGMT_ERR_FLASH_AREA_DEVICE_NULL', 'the flash area has no device'],
  ['IMG_MGMT_ERR_INVALID_PAGE_OFFSET', 'invalid page offset'],
  ['IMG_MGMT_ERR_INVALID_OFFSET', '"off" missing or invalid'],
  ['IMG_MGMT_ERR_INVALID_LENGTH', '"len" missing or invalid'],
  ['IMG_MGMT_ERR_INVALID_IMAGE_HEADER', 'the first chunk is shorter than an image header'],
  ['IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC', 'not an MCUboot image (bad header magic)'],
  ['IMG_MGMT_ERR_INVALID_HASH', '"sha" invalid (longer than 32 bytes?)'],
  ['IMG_MGMT_ERR_INVALID_FLASH_ADDRESS', 'the image load address does not match the slot'],
  ['IMG_MGMT_ERR_VERSION_GET_FAILED', 'could not read the running version'],
  ['IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER', 'the running image is newer (upgrade-only upload)'],
  ['IMG_MGMT_ERR_IMAGE_ALREADY_PENDING', 'an image is already pending'],
  ['IMG_MGMT_ERR_INVALID_IMAGE_VECTOR_TABLE', 'invalid vector table'],
  ['IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE', 'the image is too large for the slot'],
  ['IMG_MGMT_ERR_INVALID_IMAGE_DATA_OVERRUN', 'more data than "len" announced'],
  ['IMG_MGMT_ERR_IMAGE_CONFIRMATION_DENIED', 'confirmation denied'],
  ['IMG_MGMT_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED', 'the image to test is the one running'],
  ['IMG_MGMT_ERR_ACTIVE_SLOT_NOT_KNOWN', 'the active slot cannot be determined'],
];

/** os_mgmt_err_code_t */
const OS_ERRORS: readonly (readonly [string, string])[] = [
  ['OS_MGMT_ERR_OK', 'no error'],
  ['OS_MGMT_ERR_UNKNOWN', 'unknown error'],
  ['OS_MGMT_ERR_INVALID_FORMAT', 'invalid format'],
  ['OS_MGMT_ERR_QUERY_YIELDS_NO_ANSWER', 'query not recognised'],
  ['OS_MGMT_ERR_RTC_NOT_SET', 'the RTC is not set'],
  ['OS_MGMT_ERR_RTC_COMMAND_FAILED', 'RTC command failed'],
  ['OS_MGMT_ERR_QUERY_RESPONSE_VALUE_NOT_VALID', 'no valid value for the query'],
];

const GROUP_ERRORS: Readonly<Record<number, readonly (readonly [string, string])[]>> = {
  [SmpGroup.Os]: OS_ERRORS,
  [SmpGroup.Image]: IMG_ERRORS,
};

const GROUP_NAMES: Readonly<Record<number, string>> = {
  [SmpGroup.Os]: 'OS',
  [SmpGroup.Image]: 'image',
  [SmpGroup.Stat]: 'statistics',
  [SmpGroup.Settings]: 'settings',
  [SmpGroup.Log]: 'log',
  [SmpGroup.Crash]: 'crash',
  [SmpGroup.Split]: 'split image',
  [SmpGroup.Run]: 'run-time tests',
  [SmpGroup.Fs]: 'file system',
  [SmpGroup.Shell]: 'shell',
  [SmpGroup.Enum]: 'enumeration',
  [SmpGroup.ZephyrBasic]: 'Zephyr basic',
};

export const ImgMgmtErr = Object.fromEntries(IMG_ERRORS.map(([name], i) => [name.replace(/^IMG_MGMT_ERR_/, ''), i])) as Readonly<Record<string, number>>;

/** 'image group', 'OS group', 'user group 64', 'group 20' */
export function groupLabel(group: number): string {
  const name = GROUP_NAMES[group];
  if (name) return `${name} group`;
  return group >= SmpGroup.PerUser ? `user group ${group}` : `group ${group}`;
}

/** 'MGMT_ERR_EBADSTATE', 'MGMT_ERR_EPERUSER+4', or undefined for an unassigned number */
export function mgmtErrName(rc: number): string | undefined {
  if (rc >= MGMT_ERR_EPERUSER) return `MGMT_ERR_EPERUSER+${rc - MGMT_ERR_EPERUSER}`;
  return MGMT_ERRORS[rc]?.[0];
}

/** 'IMG_MGMT_ERR_NO_FREE_SLOT' for (1, 9); undefined when the group or code is not known */
export function groupErrName(group: number, rc: number): string | undefined {
  return GROUP_ERRORS[group]?.[rc]?.[0];
}

/** The error a response body carries, or undefined for a success (no rc/err, or 0). */
export function smpErrorOf(body: SmpBody | undefined): SmpError | undefined {
  if (!body) return undefined;
  const rsn = typeof body.rsn === 'string' ? body.rsn : undefined;
  const err = body.err;
  if (isCborMap(err) && typeof err.rc === 'number' && err.rc !== 0) {
    const group = typeof err.group === 'number' ? err.group : -1;
    return rsn === undefined ? { kind: 'group', group, rc: err.rc } : { kind: 'group', group, rc: err.rc, rsn };
  }
  if (typeof body.rc === 'number' && body.rc !== 0) return rsn === undefined ? { kind: 'rc', rc: body.rc } : { kind: 'rc', rc: body.rc, rsn };
  return undefined;
}

/** 'image group: 9 (IMG_MGMT_ERR_NO_FREE_SLOT: no free slot to upload into)' or 'rc 6 (MGMT_ERR_EBADSTATE: ...)'. */
export function describeSmpError(e: SmpError): string {
  const rsn = e.rsn ? `; device says "${e.rsn}"` : '';
  if (e.kind === 'rc') {
    const entry = MGMT_ERRORS[e.rc];
    const what = entry ? `${entry[0]}: ${entry[1]}` : (mgmtErrName(e.rc) ?? 'not an mcumgr_err_t value');
    return `rc ${e.rc} (${what})${rsn}`;
  }
  const entry = GROUP_ERRORS[e.group]?.[e.rc];
  const what = entry ? `${entry[0]}: ${entry[1]}` : 'a code this rig has no name for';
  return `${groupLabel(e.group)}: ${e.rc} (${what})${rsn}`;
}

// The board's SMP command table, one switch from (group, command, op) to a handler, and the checks
// Zephyr's smp.c makes before a handler runs: the request fits the buffer (MGMT_ERR_EMSGSIZE),
// its header and CBOR parse (MGMT_ERR_EINVAL), its version is one the board speaks
// (MGMT_ERR_UNSUPPORTED_TOO_NEW), and someone handles it (MGMT_ERR_ENOTSUP).
import { decodeSmp, isResponseOp, responseTo, SMP_HEADER_SIZE, SmpGroup, type SmpMessage, SmpOp, SmpVersion, type SmpVersionBits } from '../../../protocols/smp/smp-header.js';
import { ImageId, OsId } from '../../../protocols/smp/smp-groups.js';
import { imageErase, imageStateRead, imageStateWrite } from './image-state.js';
import { imageUpload } from './image-upload.js';
import { osEcho, osMcumgrParams, osReset } from './os-commands.js';
import type { SmpEnv } from './smp-env.js';
import { MGMT, mgmtError, responseBody, type SmpResult } from './smp-replies.js';

type Handler = (env: SmpEnv, req: SmpMessage) => SmpResult;

interface Command {
  read?: Handler;
  write?: Handler;
}

const key = (group: number, id: number): string => `${group}/${id}`;

const COMMANDS: ReadonlyMap<string, Command> = new Map([
  [key(SmpGroup.Os, OsId.Echo), { read: osEcho, write: osEcho }],
  [key(SmpGroup.Os, OsId.Reset), { write: osReset }],
  [key(SmpGroup.Os, OsId.McumgrParams), { read: osMcumgrParams }],
  [key(SmpGroup.Image, ImageId.State), { read: imageStateRead, write: imageStateWrite }],
  [key(SmpGroup.Image, ImageId.Upload), { write: imageUpload }],
  [key(SmpGroup.Image, ImageId.Erase), { write: imageErase }],
]);

/** The groups this board serves: a datagram of another group is not its to claim. */
export const SERVED_GROUPS: ReadonlySet<number> = new Set([SmpGroup.Os, SmpGroup.Image]);

/** The answer to one SMP message: a response and the flash time it cost, or none (a response op). */
export interface Handled {
  response?: SmpMessage;
  flashMs: number;
}

/** Handle one whole SMP message (a datagram, a serial packet). */
export function handleSmp(env: SmpEnv, bytes: Uint8Array): Handled {
  if (bytes.length < SMP_HEADER_SIZE) return { flashMs: 0 };
  const head = rawHeader(bytes);
  if (isResponseOp(head.op)) return { flashMs: 0 }; // a server answers requests only
  if (bytes.length > env.params.bufSize) {
    return answer(head, mgmtError(MGMT.EMSGSIZE, `a ${bytes.length}-byte request does not fit the ${env.params.bufSize}-byte SMP buffer (buf_size)`));
  }
  const d = decodeSmp(bytes);
  if (d.kind !== 'ok') return answer(head, mgmtError(MGMT.EINVAL, d.kind === 'malformed' ? d.rule : 'truncated request'));
  const req = d.value;
  if (req.version > SmpVersion.V2) {
    return answer({ ...head, version: SmpVersion.V2 }, mgmtError(MGMT.UNSUPPORTED_TOO_NEW, `SMP version ${req.version + 1} is newer than this board's (2)`));
  }
  const cmd = COMMANDS.get(key(req.group, req.id));
  const handler = req.op === SmpOp.Read ? cmd?.read : cmd?.write;
  if (!handler) return answer(req, mgmtError(MGMT.ENOTSUP, `no ${req.op === SmpOp.Read ? 'read' : 'write'} handler for group ${req.group} command ${req.id}`));
  return answer(req, handler(env, req));
}

function answer(req: SmpMessage, r: SmpResult): Handled {
  return { response: responseTo(req, responseBody(req, r.outcome)), flashMs: r.flashMs };
}

/** The header fields of a message whose body may not parse (for an error answer). */
function rawHeader(bytes: Uint8Array): SmpMessage {
  return {
    op: (bytes[0]! & 0x7) as SmpOp,
    version: ((bytes[0]! >> 3) & 0x3) as SmpVersionBits,
    flags: 0,
    group: (bytes[4]! << 8) | bytes[5]!,
    seq: bytes[6]!,
    id: bytes[7]!,
  };
}

/**
 * Is this datagram an SMP request or response for this board (and not CoAP, not text for the
 * echo service)? The header's op is 0-3, its Data Length matches the datagram, and the group is
 * one the board serves. Checked on the raw header, so a request with a broken body is still
 * claimed and answered.
 */
export function isSmpDatagram(bytes: Uint8Array): boolean {
  if (bytes.length < SMP_HEADER_SIZE) return false;
  if ((bytes[0]! & 0xe0) !== 0 || (bytes[0]! & 0x7) > 3) return false;
  const length = (bytes[2]! << 8) | bytes[3]!;
  if (SMP_HEADER_SIZE + length !== bytes.length) return false;
  return SERVED_GROUPS.has((bytes[4]! << 8) | bytes[5]!);
}

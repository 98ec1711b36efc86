// Group 0, OS management (Zephyr smp_groups/smp_group_0.rst): echo (id 0), system reset (id 5)
// and MCUmgr parameters (id 6). A builder per request, a reader per response; readers throw
// SmpResponseError on an SMP error or a response without the fields the document gives.
import { SmpGroup, type SmpMessage, SmpOp } from './smp-header.js';
import { field, isUint, isString, type SmpRequest, successBody } from './smp-request.js';

export const OsId = { Echo: 0, ConsoleEcho: 1, TaskStats: 2, MemPoolStats: 3, DateTime: 4, Reset: 5, McumgrParams: 6, Info: 7, BootloaderInfo: 8 } as const;

/** Echo: the device answers `{ r: text }`. Sent as a write, as mcumgr does (the document allows read too). */
export function echoRequest(text: string): SmpRequest {
  return { op: SmpOp.Write, group: SmpGroup.Os, id: OsId.Echo, body: { d: text }, name: 'echo' };
}

export function readEcho(res: SmpMessage): string {
  return field(res, successBody(res, 'echo'), 'r', isString, 'string', 'echo');
}

export interface ResetOptions {
  /** ask for a reset even if the application's reset hook would refuse it (Zephyr: bool "force") */
  force?: boolean;
  /** "boot_mode" (Zephyr 3.7+, with CONFIG_MCUMGR_GRP_OS_RESET_BOOT_MODE) */
  bootMode?: number;
}

/** System reset: the device answers first, then resets. */
export function resetRequest(opts: ResetOptions = {}): SmpRequest {
  const body: Record<string, unknown> = {};
  if (opts.force !== undefined) body.force = opts.force;
  if (opts.bootMode !== undefined) body.boot_mode = opts.bootMode;
  return { op: SmpOp.Write, group: SmpGroup.Os, id: OsId.Reset, body, name: 'reset' };
}

/** A reset answer carries nothing but a possible error. */
export function readReset(res: SmpMessage): void {
  successBody(res, 'reset');
}

export function mcumgrParamsRequest(): SmpRequest {
  return { op: SmpOp.Read, group: SmpGroup.Os, id: OsId.McumgrParams, body: {}, name: 'MCUmgr parameters' };
}

export interface McumgrParams {
  /** one SMP buffer, SMP header and CBOR included: the largest request the device takes */
  bufSize: number;
  /** how many such buffers it has */
  bufCount: number;
}

export function readMcumgrParams(res: SmpMessage): McumgrParams {
  const what = 'MCUmgr parameters';
  const body = successBody(res, what);
  return { bufSize: field(res, body, 'buf_size', isUint, 'unsigned integer', what), bufCount: field(res, body, 'buf_count', isUint, 'unsigned integer', what) };
}

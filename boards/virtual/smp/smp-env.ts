// What an SMP command handler of the board sees: the flash, the upload in progress (per boot),
// the transport's limits, the board's bug modes and log, and the reset request. One per boot,
// made by the SMP server; handlers keep no state of their own.
import type { SmpBody } from '../../../protocols/smp/smp-header.js';
import type { LogLevel } from '../service.js';
import type { FlashSlots } from '../flash/index.js';
import type { UploadWriter } from './upload-writer.js';

/** MCUmgr parameters (os group, id 6): one SMP buffer and how many there are. */
export interface SmpParams {
  /** bytes of one SMP message, header and CBOR included: the largest request taken */
  bufSize: number;
  bufCount: number;
}

/** An upload in progress (Zephyr's g_img_mgmt_state): lost at reset, like the RAM it lives in. */
export interface UploadSession {
  /** the image's length, from the first chunk's "len" */
  size: number;
  /** the first chunk's "sha" (any length up to 32; empty when absent) */
  sha: Uint8Array;
  /** bytes received: the offset expected next */
  off: number;
  writer: UploadWriter;
}

export interface SmpEnv {
  readonly flash: FlashSlots;
  readonly params: SmpParams;
  /** the upload in progress, if any */
  upload: UploadSession | undefined;
  /** is this bug mode on */
  bug(name: string): boolean;
  log(level: LogLevel, message: string): void;
  /** reset the board once the answer has left (os group, id 5) */
  requestReset(): void;
}

/** A request field by type: the value, undefined when absent, or 'bad' when of another type. */
export function uintField(body: SmpBody, key: string): number | undefined | 'bad' {
  const v = body[key];
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 'bad';
}

export function bytesField(body: SmpBody, key: string): Uint8Array | undefined | 'bad' {
  const v = body[key];
  if (v === undefined) return undefined;
  return v instanceof Uint8Array ? v : 'bad';
}

export function boolField(body: SmpBody, key: string): boolean | undefined | 'bad' {
  const v = body[key];
  if (v === undefined) return undefined;
  return typeof v === 'boolean' ? v : 'bad';
}

export function stringField(body: SmpBody, key: string): string | undefined | 'bad' {
  const v = body[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : 'bad';
}

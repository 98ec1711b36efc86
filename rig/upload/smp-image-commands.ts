// The image-management commands mcumgr users know (`mcumgr image list|test|confirm|erase`,
// `mcumgr reset`), on one SMP link: each opens the link, sends one request, reads the answer
// with protocols/smp's readers, and closes. Formatting the image list is here too.
import type { Driver } from '../engine/driver.js';
import { describeError } from '../engine/errors.js';
import { Manager } from '../engine/manager.js';
import { defaultDrivers } from '../../drivers/index.js';
import { imageEraseRequest, type ImageSlotState, type ImageState, imageStateRequest, imageStateWriteRequest, readErase, readImageState } from '../../protocols/smp/smp-image-group.js';
import { readReset, resetRequest } from '../../protocols/smp/smp-os-group.js';
import { SmpRequestError } from '../../protocols/smp/smp-protocol.js';
import { SmpResponseError } from '../../protocols/smp/smp-request.js';
import type { SmpRequest } from '../../protocols/smp/smp-request.js';
import type { SmpMessage } from '../../protocols/smp/smp-header.js';
import { SmpLink } from './smp-link.js';
import { parseSmpTarget } from './smp-link.js';
import { boardError, linkError, usageError } from './upload-errors.js';

export type ImageAction =
  | { kind: 'list' }
  | { kind: 'test'; hash: Uint8Array }
  | { kind: 'confirm'; hash?: Uint8Array }
  | { kind: 'erase'; slot?: number }
  | { kind: 'reset'; force?: boolean };

export type ImageActionResult = { kind: 'state'; state: ImageState } | { kind: 'done'; what: string };

export interface ImageCommandOptions {
  target: string;
  timeoutMs?: number;
  drivers?: Record<string, Driver>;
}

/** A hash as the image list prints it: 64 hex digits (32 bytes, the SHA-256 TLV). */
export function parseHash(text: string): Uint8Array {
  if (!/^([0-9a-f]{2}){32}$/i.test(text)) throw usageError(`hash "${text}": expected the image's SHA-256 as 64 hex digits, as \`hilrig image list\` or \`hilrig image info\` prints it`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function requestFor(a: ImageAction): { req: SmpRequest; read: (res: SmpMessage) => ImageActionResult } {
  switch (a.kind) {
    case 'list':
      return { req: imageStateRequest(), read: (res) => ({ kind: 'state', state: readImageState(res) }) };
    case 'test':
      return { req: imageStateWriteRequest({ hash: a.hash, confirm: false }), read: (res) => ({ kind: 'state', state: readImageState(res) }) };
    case 'confirm':
      return { req: imageStateWriteRequest({ hash: a.hash, confirm: true }), read: (res) => ({ kind: 'state', state: readImageState(res) }) };
    case 'erase':
      // erasing a slot is slow on real flash: give it time
      return { req: { ...imageEraseRequest(a.slot), timeoutMs: 30_000 }, read: (res) => (readErase(res), { kind: 'done', what: `slot ${a.slot ?? 1} erased` }) };
    case 'reset':
      return { req: resetRequest(a.force ? { force: true } : {}), read: (res) => (readReset(res), { kind: 'done', what: 'the board is resetting' }) };
  }
}

export async function runImageAction(a: ImageAction, o: ImageCommandOptions): Promise<ImageActionResult> {
  const target = parseSmpTarget(o.target);
  const mgr = new Manager({ drivers: o.drivers ?? defaultDrivers });
  const link = new SmpLink(mgr, target, { label: `image ${a.kind}` });
  try {
    await link.open();
    const { req, read } = requestFor(a);
    let res: SmpMessage;
    try {
      res = await link.request(req.timeoutMs === undefined && o.timeoutMs !== undefined ? { ...req, timeoutMs: o.timeoutMs } : req);
    } catch (e) {
      if (e instanceof SmpRequestError && e.reason === 'mismatch') throw boardError(e.message, e);
      throw linkError(`${req.name ?? a.kind}: ${describeError(e)}${link.lastError ? ` (${link.lastError})` : ''}`, e);
    }
    try {
      return read(res);
    } catch (e) {
      if (e instanceof SmpResponseError) throw boardError(e.message, e);
      throw e;
    }
  } finally {
    await mgr.shutdown();
  }
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

/** The image list as a table: image, slot, version, the flags, and the hash in full (it is what test/confirm take). */
export function formatImageTable(state: ImageState): string {
  const head = ['image', 'slot', 'version', 'bootable', 'pending', 'confirmed', 'active', 'permanent', 'hash'];
  const rows = state.images.map((i: ImageSlotState) => [
    String(i.image ?? 0),
    String(i.slot),
    i.version,
    yes(i.bootable),
    yes(i.pending),
    yes(i.confirmed),
    yes(i.active),
    yes(i.permanent),
    i.hash ? Buffer.from(i.hash).toString('hex') : '-',
  ]);
  if (rows.length === 0) return 'no images\n';
  const widths = head.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)));
  const line = (cells: string[]): string => cells.map((c, col) => (col === cells.length - 1 ? c : c.padEnd(widths[col]!))).join('  ');
  const split = state.splitStatus !== undefined ? `split status: ${state.splitStatus}\n` : '';
  return `${[line(head), ...rows.map(line)].join('\n')}\n${split}`;
}

/** The image list as JSON (hashes in hex) for scripts. */
export function imageStateJson(state: ImageState): string {
  return `${JSON.stringify({ images: state.images.map((i) => ({ ...i, image: i.image ?? 0, hash: i.hash ? Buffer.from(i.hash).toString('hex') : undefined })), splitStatus: state.splitStatus }, null, 2)}\n`;
}

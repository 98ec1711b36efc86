// `hilrig upload --protocol smp`: an MCUboot image (or, with --raw, any file) into the board's
// secondary slot with the image group's upload command, over serial or UDP. The steps:
//   1. open the link; ask the MCUmgr parameters to size chunks and window (smp-chunking.ts);
//   2. run transfer passes (smp-transfer.ts) until the board has every byte; between passes,
//      when the link died or went silent, reopen it within a bounded time and probe the board
//      with an image-state read: the next pass's first chunk names the file by its sha, and the
//      board answers where it stands (resume) or 0 (start again);
//   3. verify: the image list must show the image's SHA-256 TLV in slot 1; for a raw file, the
//      board's "match" on the last chunk is all there is.
import type { Driver } from '../engine/driver.js';
import { describeError } from '../engine/errors.js';
import { Manager } from '../engine/manager.js';
import { defaultDrivers } from '../../drivers/index.js';
import { imageStateRequest, type ImageSlotState, readImageState } from '../../protocols/smp/smp-image-group.js';
import { mcumgrParamsRequest, type McumgrParams, readMcumgrParams } from '../../protocols/smp/smp-os-group.js';
import { SmpRequestError } from '../../protocols/smp/smp-protocol.js';
import type { FileReader } from './file-reader.js';
import type { ProgressSink } from './progress.js';
import { type ChunkPlan, planChunks } from './smp-chunking.js';
import { SmpLink, type SmpTarget } from './smp-link.js';
import { SmpTransfer, type TransferStats } from './smp-transfer.js';
import { boardError, linkError } from './upload-errors.js';
import type { UploadVerdict } from './upload-result.js';

export interface SmpUploadOptions {
  target: SmpTarget;
  reader: FileReader;
  /** SHA-256 of the whole file: the "sha" of the first chunk */
  sha: Uint8Array;
  /** the image's SHA-256 TLV, looked for in slot 1 at the end; undefined for a raw file */
  imageHash?: Uint8Array;
  /** data bytes per chunk (default: from the board's parameters) */
  chunk?: number;
  /** chunks in flight (default: from the board's parameters) */
  window?: number;
  /** the image number (multi-image boards); absent means 0 */
  image?: number;
  /** per request (default 5000 ms; the first chunk, which may erase the slot, gets 4 times it) */
  timeoutMs?: number;
  /** how long a lost link may take to come back, each time (default 30000 ms) */
  reconnectMs?: number;
  progress: ProgressSink;
  /** transports (tests: an impaired UDP driver); default: serial and UDP */
  drivers?: Record<string, Driver>;
  /** console text between SMP frames (serial), for -v */
  onText?: (text: string) => void;
}

export interface SmpUploadResult {
  plan: ChunkPlan;
  params?: McumgrParams;
  /** seconds from the first chunk to the board's last answer */
  seconds: number;
  stats: TransferStats;
  /** times the link was reopened */
  reconnects: number;
  verdict: UploadVerdict;
}

/** link losses in one upload before giving up, however quickly each comes back */
const MAX_RECONNECTS = 20;
const PARAMS_TIMEOUT_MS = 2000;
const PARAMS_ATTEMPTS = 3;
const PROBE_TIMEOUT_MS = 1000;

export async function smpUpload(o: SmpUploadOptions): Promise<SmpUploadResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const reconnectMs = o.reconnectMs ?? 30_000;
  const mgr = new Manager({ drivers: o.drivers ?? defaultDrivers });
  const link = new SmpLink(mgr, o.target, { onText: o.onText, label: 'upload' });
  try {
    await link.open();
    const params = await askParams(link, timeoutMs);
    const len = o.reader.size;
    const plan = planChunks({ len, sha: o.sha, transport: o.target.transport, params, chunk: o.chunk, window: o.window, image: o.image });
    o.progress.note(`smp: ${plan.rest}-byte chunks (${plan.first} in the first), window ${plan.window} (${plan.source})`);
    const stats: TransferStats = { requests: 0, sentBytes: 0, rewinds: 0, timeouts: 0, restarts: 0 };
    let reconnects = 0;
    const t0 = performance.now();
    o.progress.start(len, 0);
    let match: boolean | undefined;
    for (;;) {
      const pass = new SmpTransfer(link, o.reader, { len, sha: o.sha, plan, timeoutMs, image: o.image, note: (l) => o.progress.note(`smp: ${l}`) }, o.progress, stats);
      const out = await pass.run();
      if (out.kind === 'done') {
        match = out.match;
        break;
      }
      if (++reconnects > MAX_RECONNECTS) throw linkError(`the link was lost ${MAX_RECONNECTS} times; giving up (${out.reason})`);
      o.progress.note(`smp: link lost (${out.reason}); reopening ${o.target.url} for up to ${Math.round(reconnectMs / 1000)} s`);
      await reconnect(link, Date.now() + reconnectMs, out.reason);
      o.progress.note('smp: the board answers again; resuming with the first chunk (the board says where it stands)');
    }
    o.progress.update(len);
    const seconds = (performance.now() - t0) / 1000;
    o.progress.end();
    const verdict = await verify(link, o, match, timeoutMs);
    return { plan, params, seconds, stats, reconnects, verdict };
  } finally {
    await mgr.shutdown();
  }
}

/** The board's buffer parameters, or undefined when it does not answer them (then: safe defaults). */
async function askParams(link: SmpLink, timeoutMs: number): Promise<McumgrParams | undefined> {
  // a lost datagram must not cost the whole upload its chunk size: ask more than once
  for (let attempt = 0; attempt < PARAMS_ATTEMPTS; attempt++) {
    try {
      return readMcumgrParams(await link.request({ ...mcumgrParamsRequest(), timeoutMs: Math.min(timeoutMs, PARAMS_TIMEOUT_MS) }));
    } catch (e) {
      if (e instanceof SmpRequestError && e.reason === 'closed') throw linkError(`${link.target.url}: ${link.lastError || e.message}`, e);
      // an SMP error (not supported) or an answer without the fields: the board said no
      if (!(e instanceof SmpRequestError && e.reason === 'timeout')) return undefined;
    }
  }
  // silence: is anything there at all? An image-state read is what every SMP server answers
  try {
    await link.request({ ...imageStateRequest(), timeoutMs });
    return undefined;
  } catch (e) {
    if (e instanceof SmpRequestError) throw linkError(`no SMP answer from ${link.target.url}${link.lastError ? ` (${link.lastError})` : ''}: is the board running an SMP server there?`, e, 'TIMEOUT');
    return undefined;
  }
}

/** Reopen the link and wait until the board answers an image-state read, until `deadline`. */
async function reconnect(link: SmpLink, deadline: number, why: string): Promise<void> {
  for (;;) {
    try {
      await link.reopen(deadline);
    } catch (e) {
      throw linkError(`the link did not come back before the deadline: ${describeError(e)} (lost: ${why})`, e);
    }
    for (;;) {
      try {
        await link.request({ ...imageStateRequest(), timeoutMs: PROBE_TIMEOUT_MS });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw linkError(`the board did not answer again before the deadline (lost: ${why}; then: ${describeError(e)})`, e, 'TIMEOUT');
        // the port went away again: reopen it; a silent board: ask again
        if (e instanceof SmpRequestError && e.reason === 'closed') break;
      }
    }
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function verify(link: SmpLink, o: SmpUploadOptions, match: boolean | undefined, timeoutMs: number): Promise<UploadVerdict> {
  if (match === false) return { ok: false, checked: true, detail: 'the board answered the last chunk with "match": false: what it received does not hash to the sha announced' };
  if (!o.imageHash) {
    return match === true
      ? { ok: true, checked: true, detail: 'the board checked what it received against the sha announced ("match": true)' }
      : { ok: true, checked: false, detail: 'not verified: a --raw file has no image hash to look for in the image list, and the board sent no "match"' };
  }
  let images: ImageSlotState[] | undefined;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3 && !images; attempt++) {
    try {
      images = readImageState(await link.request({ ...imageStateRequest(), timeoutMs })).images;
    } catch (e) {
      lastErr = e;
      if (!(e instanceof SmpRequestError && e.reason === 'timeout')) break;
    }
  }
  if (!images) {
    if (lastErr instanceof SmpRequestError) throw linkError(`the upload finished but the image list could not be read: ${describeError(lastErr)}`, lastErr);
    throw boardError(`the upload finished but the image list is not readable: ${describeError(lastErr)}`, lastErr);
  }
  const want = hex(o.imageHash);
  const inSlot1 = images.find((i) => i.slot === 1 && (i.image ?? 0) === (o.image ?? 0));
  if (inSlot1?.hash && hex(inSlot1.hash) === want) {
    return { ok: true, checked: true, detail: `image list: slot 1 holds the image (version ${inSlot1.version}, hash ${want}${inSlot1.bootable ? '' : ', NOT bootable'})` };
  }
  const shown = images.map((i) => `slot ${i.slot}: ${i.hash ? hex(i.hash) : 'no hash'}`).join('; ') || 'no images';
  return { ok: false, checked: true, detail: `image list does not show the uploaded image's hash ${want} in slot 1 (${shown})` };
}

// The uploader: one file to one board with the strategy its protocol needs, the file streamed
// from disk. Before SMP sends a byte, the file is checked to be an MCUboot image (its header
// magic, its TLVs, its SHA-256 TLV against its contents) in the same single pass over the file
// that computes the "sha" an SMP upload announces; --raw skips the refusal.
import { createHash } from 'node:crypto';
import type { Driver } from '../engine/driver.js';
import { IMAGE_MAGIC } from '../../protocols/mcuboot/image.js';
import { FileReader } from './file-reader.js';
import { type ImageFileInfo, imageHashChecker, inspectImageFile } from './image-file.js';
import { formatBytes, formatRate, type ProgressSink } from './progress.js';
import { parseSmpTarget } from './smp-link.js';
import { usageError } from './upload-errors.js';
import { goodput, type UploadSummary } from './upload-result.js';

export const UPLOAD_PROTOCOLS = ['smp', 'xmodem', 'ymodem', 'coap'] as const;
export type UploadProtocol = (typeof UPLOAD_PROTOCOLS)[number];

export interface UploadRequest {
  file: string;
  target: string;
  protocol: UploadProtocol;
  /** SMP: data bytes per request; XMODEM: block size; CoAP: block size */
  chunk?: number;
  /** SMP: requests in flight */
  window?: number;
  /** SMP: send a file that is not an MCUboot image */
  raw?: boolean;
  /** CoAP: the resource path */
  resource?: string;
  /** CoAP: Q-Block1 */
  qblock?: boolean;
  /** per answer, ms */
  timeoutMs?: number;
  /** SMP: how long a lost link may take to come back, ms */
  reconnectMs?: number;
  progress: ProgressSink;
  drivers?: Record<string, Driver>;
  /** board console text between SMP frames */
  onText?: (text: string) => void;
}

/** The protocol a target URL implies when --protocol is left out. */
export function protocolForTarget(target: string): UploadProtocol | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  if (scheme === 'udp' || scheme === 'serial') return 'smp';
  if (scheme === 'coap' || scheme === 'coap+udp' || scheme === 'coap+serial') return 'coap';
  return undefined;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const magicBytes = (): string => [0, 8, 16, 24].map((s) => ((IMAGE_MAGIC >>> s) & 0xff).toString(16).padStart(2, '0')).join(' ');

interface Prepared {
  sha: Uint8Array;
  image?: ImageFileInfo;
}

/** One pass over the file: its SHA-256, and for an image the check of its hash TLV. */
async function prepareSmp(reader: FileReader, raw: boolean): Promise<Prepared> {
  const look = await inspectImageFile(reader);
  if (look.kind === 'not-image' && !raw) {
    throw usageError(
      `${reader.path} is not an MCUboot image: ${look.reason}. An SMP image upload needs one: it starts with the magic 0x${IMAGE_MAGIC.toString(16)} ` +
        `(bytes ${magicBytes()}), as imgtool sign or a Zephyr build (zephyr.signed.bin) writes it. Pass --raw to upload the file as it is.`,
    );
  }
  const image = look.kind === 'image' ? look.info : undefined;
  const fileHash = createHash('sha256');
  const checker = image ? imageHashChecker(image) : undefined;
  await reader.scan((bytes, off) => {
    fileHash.update(bytes);
    checker?.update(bytes, off);
  });
  const checks = checker?.result() ?? [];
  const bad = checks.find((c) => !c.match);
  if (image && !raw) {
    if (checks.length === 0) throw usageError(`${reader.path} is an MCUboot image without a hash TLV: MCUboot will not boot it, and the upload could not be verified. Pass --raw to upload it anyway.`);
    if (bad) throw usageError(`${reader.path}: its ${bad.tlv} TLV (${hex(bad.expected)}) does not match its contents (${hex(bad.computed)}): the image is corrupt or was changed after it was built. Pass --raw to upload it anyway.`);
  }
  return { sha: new Uint8Array(fileHash.digest()), image: image && !bad ? image : undefined };
}

export async function upload(req: UploadRequest): Promise<UploadSummary> {
  const reader = await FileReader.open(req.file);
  try {
    switch (req.protocol) {
      case 'smp':
        return await uploadSmp(req, reader);
      case 'xmodem':
      case 'ymodem': {
        const { xmodemUpload } = await import('./xmodem-upload.js');
        const r = await xmodemUpload({ target: req.target, protocol: req.protocol, reader, chunk: req.chunk, timeoutMs: req.timeoutMs, progress: req.progress, drivers: req.drivers });
        return { protocol: req.protocol, bytes: r.result.bytes, seconds: r.result.seconds, verdict: r.verdict, notes: [`${r.result.blocks} blocks, ${r.result.retries} resent, ${r.result.check === 'crc' ? 'CRC-16' : 'checksum'}`] };
      }
      case 'coap': {
        const { coapUpload } = await import('./coap-upload.js');
        const r = await coapUpload({ target: req.target, resource: req.resource, reader, chunk: req.chunk, qblock: req.qblock, timeoutMs: req.timeoutMs, progress: req.progress, drivers: req.drivers });
        const how = r.usedQBlock ? 'Q-Block1' : 'Block1';
        return { protocol: 'coap', bytes: reader.size, seconds: r.seconds, verdict: r.verdict, notes: [`${how}: ${r.blocks} blocks, ${r.roundTrips} round trips, ${r.transmissions} datagrams`] };
      }
    }
  } finally {
    await reader.close();
  }
}

async function uploadSmp(req: UploadRequest, reader: FileReader): Promise<UploadSummary> {
  if (req.resource !== undefined) throw usageError('--resource is for --protocol coap');
  const target = parseSmpTarget(req.target);
  if (reader.size === 0) throw usageError(`${reader.path} is empty: there is nothing to upload`);
  const prep = await prepareSmp(reader, req.raw === true);
  if (prep.image) req.progress.note(`image: version ${prep.image.version}, ${formatBytes(reader.size)}, hash ${hex(prep.image.hash!)}`);
  const { smpUpload } = await import('./smp-upload.js');
  const r = await smpUpload({
    target,
    reader,
    sha: prep.sha,
    imageHash: prep.image?.hash,
    chunk: req.chunk,
    window: req.window,
    timeoutMs: req.timeoutMs,
    reconnectMs: req.reconnectMs,
    progress: req.progress,
    drivers: req.drivers,
    onText: req.onText,
  });
  const s = r.stats;
  const resent = Math.max(0, s.sentBytes - reader.size);
  return {
    protocol: 'smp',
    bytes: reader.size,
    seconds: r.seconds,
    verdict: r.verdict,
    notes: [`${s.requests} requests of up to ${r.plan.rest} bytes, window ${r.plan.window}; ${formatBytes(resent)} sent again, ${s.timeouts} timeouts, ${s.rewinds} offset corrections, ${s.restarts} restarts, ${r.reconnects} reconnects`],
  };
}

/** 'uploaded 256.0 KiB in 3.21 s: goodput 79.8 KiB/s (262144 bytes)' */
export function describeSummary(s: UploadSummary): string {
  return `uploaded ${formatBytes(s.bytes)} in ${s.seconds.toFixed(2)} s with ${s.protocol}: goodput ${formatRate(goodput(s))} (${s.bytes} bytes)`;
}

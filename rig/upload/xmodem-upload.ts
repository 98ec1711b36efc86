// `hilrig upload --protocol xmodem|ymodem`: a file to a receiver on a serial line (a
// bootloader's XMODEM prompt, lrzsz's rx/rb) with protocols/xmodem's sender, fed a block at a
// time from disk. The receiver acknowledging every block is the whole check the protocol has:
// XMODEM pads the last block to its size with SUB (0x1A) bytes, YMODEM sends the exact length
// in its block 0.
import type { Driver } from '../engine/driver.js';
import { describeError } from '../engine/errors.js';
import { Ev, type Handler } from '../engine/events.js';
import { Manager } from '../engine/manager.js';
import { defaultDrivers } from '../../drivers/index.js';
import { XmodemError, XmodemEv, type XmodemEvents, type XmodemMode, type XmodemResult, xmodemSend } from '../../protocols/xmodem/xmodem-sender.js';
import type { FileReader } from './file-reader.js';
import type { ProgressSink } from './progress.js';
import { boardError, linkError, usageError } from './upload-errors.js';
import type { UploadVerdict } from './upload-result.js';

export interface XmodemUploadOptions {
  /** serial:///dev/ttyX?baud=N */
  target: string;
  protocol: 'xmodem' | 'ymodem';
  reader: FileReader;
  /** XMODEM block size: 1024 (default, XMODEM-1K; 128-byte blocks if the receiver asks for checksums) or 128 */
  chunk?: number;
  /** how long to wait for the answer to a block (default 10000 ms) */
  timeoutMs?: number;
  /** how long to wait for the receiver to start (default 60000 ms) */
  startTimeoutMs?: number;
  progress: ProgressSink;
  drivers?: Record<string, Driver>;
}

export interface XmodemUploadResult {
  result: XmodemResult;
  verdict: UploadVerdict;
}

export function xmodemMode(protocol: 'xmodem' | 'ymodem', chunk: number | undefined): XmodemMode {
  if (chunk !== undefined && chunk !== 128 && chunk !== 1024) throw usageError(`--chunk ${chunk}: ${protocol.toUpperCase()} blocks are 128 or 1024 bytes`);
  if (protocol === 'ymodem') {
    if (chunk === 128) throw usageError('--chunk 128: YMODEM here sends 1024-byte blocks (128 for a short tail); leave --chunk out');
    return 'ymodem';
  }
  return chunk === 128 ? 'xmodem' : 'xmodem-1k';
}

export async function xmodemUpload(o: XmodemUploadOptions): Promise<XmodemUploadResult> {
  if (!/^serial:\/\//i.test(o.target)) throw usageError(`--target ${o.target}: ${o.protocol.toUpperCase()} runs on a serial line: serial:///dev/ttyUSB0?baud=115200`);
  const mode = xmodemMode(o.protocol, o.chunk);
  const mgr = new Manager({ drivers: o.drivers ?? defaultDrivers });
  let lastError = '';
  let started = false;
  const handler: Handler<XmodemEvents> = (_c, ev, data) => {
    if (ev === Ev.Error) lastError = data.message;
    else if (ev === XmodemEv.Started) {
      started = true;
      o.progress.start(o.reader.size, 0);
      o.progress.note(`${o.protocol}: the receiver asked for ${data.check === 'crc' ? 'CRC-16' : 'checksum'} blocks of up to ${data.maxBlock} bytes`);
    } else if (ev === XmodemEv.Progress) o.progress.update(data.bytes);
  };
  try {
    const c = mgr.connect<XmodemEvents>(o.target, handler, { label: `upload ${o.protocol}` });
    try {
      await c.ready;
    } catch (e) {
      throw linkError(`cannot open ${o.target}: ${lastError || describeError(e)}`, e);
    }
    o.progress.note(`${o.protocol}: waiting for the receiver to start (NAK or 'C')`);
    const file = { name: o.reader.name, size: o.reader.size, mtime: o.reader.mtime, read: (off: number, len: number) => o.reader.readCopy(off, len) };
    let result: XmodemResult;
    try {
      result = await xmodemSend(c, { mode, file, blockTimeoutMs: o.timeoutMs, startTimeoutMs: o.startTimeoutMs });
    } catch (e) {
      if (e instanceof XmodemError) {
        if (e.kind === 'cancelled' || e.kind === 'retries') throw boardError(`${e.message}; the receiver acknowledged ${e.progress.bytes} of ${o.reader.size} bytes`, e);
        throw linkError(`${e.message}${lastError ? ` (${lastError})` : ''}`, e, e.code);
      }
      throw e;
    }
    if (started) o.progress.end();
    const ok = result.bytes === o.reader.size;
    return {
      result,
      verdict: {
        ok,
        checked: true,
        detail: ok
          ? `the receiver acknowledged all ${result.blocks} blocks (${result.retries} resent)${mode === 'ymodem' ? '' : `; the last block is padded with 0x1A to ${mode === 'xmodem' ? 128 : 'its block size'}`}`
          : `the receiver acknowledged ${result.bytes} of ${o.reader.size} bytes`,
      },
    };
  } finally {
    await mgr.shutdown();
  }
}

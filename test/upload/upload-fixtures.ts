// What the uploader's tests share: a virtual board with the test SMP service (or the board's
// own services), image files on disk, a progress sink that records, and a transport wrapper
// that lets a test pull the plug on the uploader's side of the link.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BoardService } from '../../boards/virtual/service.js';
import { shellService } from '../../boards/virtual/services/shell.js';
import { type BoardStartOptions, type RunningBoard, VirtualBoard } from '../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../drivers/index.js';
import { createPtyPair } from '../../drivers/serial/pty-pair.js';
import { buildTestImage } from '../../protocols/mcuboot/image.js';
import type { Driver, LinkSink, Transport } from '../../rig/engine/driver.js';
import { HilrigError } from '../../rig/engine/errors.js';
import type { ProgressSink } from '../../rig/upload/progress.js';

export async function startBoard(services: readonly BoardService[], opts: BoardStartOptions = {}): Promise<RunningBoard> {
  return new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair(), services: [shellService, ...services] }).start({ udp: '127.0.0.1:0', ...opts });
}

/** A seeded payload of `n` bytes. */
export function payload(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export interface TempFiles {
  dir: string;
  /** write `bytes` to a file in the directory and return its path */
  write(name: string, bytes: Uint8Array): string;
  remove(): void;
}

export function tempFiles(prefix = 'hilrig-upload-'): TempFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(name, bytes) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return p;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** An MCUboot image of about `kib` KiB (the body), version `version`. */
export function testImageBytes(kib: number, version = '2.3.4+5', seed = 7): Uint8Array {
  return buildTestImage({ version, payload: payload(kib * 1024, seed) });
}

export interface RecordedProgress extends ProgressSink {
  notes: string[];
  updates: number[];
  total: number;
  /** called on every update (a test's trigger at some offset) */
  onUpdate?: (done: number) => void;
}

export function recordProgress(): RecordedProgress {
  const p: RecordedProgress = {
    notes: [],
    updates: [],
    total: 0,
    start(total) {
      p.total = total;
    },
    update(done) {
      p.updates.push(done);
      p.onUpdate?.(done);
    },
    note(line) {
      p.notes.push(line);
    },
    end() {},
  };
  return p;
}

/**
 * A driver whose open transports a test can cut: cut() reports the port as vanished (as the
 * serial driver does when a USB device goes away) and closes it; the next connect works again.
 */
export function cuttable(inner: Driver): Driver & { cut(): boolean; connects: number; refuse: number } {
  let live: { sink: LinkSink; t: Transport } | undefined;
  const d = {
    datagram: inner.datagram,
    connects: 0,
    /** how many of the next opens fail as a missing port would (Infinity: it never comes back) */
    refuse: 0,
    connect(url: URL, sink: LinkSink, ctx: Parameters<Driver['connect']>[2]): Transport {
      d.connects++;
      if (d.refuse > 0) {
        d.refuse--;
        queueMicrotask(() => sink.failed(new HilrigError('PORT_NOT_FOUND', `${url.href}: no such port (refused by the test)`)));
        return { write() {}, close() {} };
      }
      const t = inner.connect(url, sink, ctx);
      const entry = { sink, t };
      live = entry;
      return {
        write: (b) => t.write(b),
        close: () => {
          if (live === entry) live = undefined;
          t.close();
        },
        pause: t.pause ? () => t.pause?.() : undefined,
        resume: t.resume ? () => t.resume?.() : undefined,
        line: t.line,
      };
    },
    cut(): boolean {
      const l = live;
      if (!l) return false;
      live = undefined;
      l.t.close();
      l.sink.failed(new HilrigError('PORT_VANISHED', `${'test'}: the port went away (cut by the test)`));
      return true;
    },
  };
  return d;
}

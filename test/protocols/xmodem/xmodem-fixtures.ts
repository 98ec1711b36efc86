// Test fixtures: an in-memory stream link, and a scripted XMODEM/YMODEM receiver on it built on
// the codec's receiver side (decodeSenderFrame), whose answer to each block the test chooses.
import type { Driver, LinkSink } from '../../../rig/index.js';
import { ACK, type BlockCheck, CAN, CRC_REQUEST, decodeSenderFrame, NAK } from '../../../protocols/xmodem/xmodem-codec.js';
import { IoBuf } from '../../../rig/index.js';

export interface MemoryLink {
  driver: Driver;
  /** bytes from the board, as one read */
  feed(bytes: Uint8Array | string): void;
  hangUp(): void;
  /** every write of the rig side, in order */
  written: Uint8Array[];
  /** called after each write, outside the write call (as a real port answers later) */
  onWrite?: (bytes: Uint8Array) => void;
}

const te = new TextEncoder();

export function memoryLink(): MemoryLink {
  let sink: LinkSink | undefined;
  const link: MemoryLink = {
    written: [],
    feed: (b) => sink?.data(typeof b === 'string' ? te.encode(b) : b),
    hangUp: () => sink?.ended('peer closed'),
    driver: {
      datagram: false,
      connect(_url, s) {
        sink = s;
        queueMicrotask(() => s.opened({ peer: 'mem' }));
        return {
          write: (bytes) => {
            const copy = bytes.slice();
            link.written.push(copy);
            queueMicrotask(() => {
              s.sent(bytes.length);
              link.onWrite?.(copy);
            });
          },
          close: () => undefined,
        };
      },
    },
  };
  return link;
}

/** What the scripted receiver does with the n-th block it gets (attempt counts from 1). */
export type Answer = 'ack' | 'nak' | 'silent' | 'cancel';

export interface ReceivedLog {
  /** each frame the receiver decoded: 'block 1', 'eot', 'cancel', 'junk' */
  frames: string[];
  /** the accepted data blocks' payloads in order (block 0 excluded) */
  data: Uint8Array[];
  header?: Uint8Array;
}

export interface ScriptOptions {
  check?: BlockCheck;
  ymodem?: boolean;
  /** answer to a data block (its absolute number from 1) on its attempt-th arrival; default ack */
  answer?: (block: number, attempt: number) => Answer;
  /** answer to EOT on its attempt-th arrival; default ack */
  eot?: (attempt: number) => 'ack' | 'nak';
}

/**
 * A receiver that answers each frame the sender writes (asynchronously, as a board would). It
 * does not send the start byte: the test does, so it controls when the transfer begins.
 */
export function scriptedReceiver(link: MemoryLink, opts: ScriptOptions = {}): ReceivedLog {
  const check = opts.check ?? 'crc';
  const log: ReceivedLog = { frames: [], data: [] };
  const buf = new IoBuf();
  const attempts = new Map<string, number>();
  let expected = opts.ymodem ? 0 : 1; // absolute number of the next new block
  const reply = (...bytes: number[]): void => link.feed(Uint8Array.from(bytes));
  link.onWrite = (bytes) => {
    buf.append(bytes);
    for (;;) {
      const r = decodeSenderFrame(buf.view(), { check });
      if (r.kind === 'incomplete') return;
      if (r.kind === 'malformed') {
        buf.consume(Math.min(buf.length, r.skip ?? 1));
        log.frames.push('junk');
        continue;
      }
      buf.consume(r.consumed);
      const f = r.value;
      if (f.kind === 'cancel') {
        log.frames.push('cancel');
        continue;
      }
      if (f.kind === 'eot') {
        const n = (attempts.get('eot') ?? 0) + 1;
        attempts.set('eot', n);
        log.frames.push('eot');
        const a = opts.eot?.(n) ?? 'ack';
        if (a === 'nak') reply(NAK);
        else if (opts.ymodem) reply(ACK, CRC_REQUEST);
        else reply(ACK);
        continue;
      }
      const b = f.block;
      // YMODEM block 0: the header, or (after the EOT) the empty one that ends the batch
      if (opts.ymodem && b.number === 0 && (expected <= 1 || attempts.has('eot'))) {
        const end = attempts.has('eot');
        log.frames.push(end ? 'batch-end' : 'block 0');
        if (end) {
          reply(ACK);
        } else {
          log.header = b.payload;
          expected = 1;
          reply(ACK, CRC_REQUEST);
        }
        continue;
      }
      const abs = (b.number - expected) & 0xff ? expected - 1 : expected; // a repeat of the last one, or the next
      log.frames.push(`block ${abs}`);
      const key = `b${abs}`;
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const a = opts.answer?.(abs, n) ?? 'ack';
      if (a === 'silent') continue;
      if (a === 'cancel') {
        reply(CAN, CAN, CAN);
        continue;
      }
      if (a === 'nak') {
        reply(NAK);
        continue;
      }
      if (abs === expected) {
        log.data.push(b.payload);
        expected++;
      }
      reply(ACK);
    }
  };
  return log;
}

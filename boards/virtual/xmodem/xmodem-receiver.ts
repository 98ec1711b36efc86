// The board's XMODEM / XMODEM-1K / YMODEM receiver, the state machine of U-Boot's loadx/loady
// with lrzsz's rules where the protocol leaves a choice. No I/O: bytes come in through input(),
// time through poll() (the board's 100 ms poll), answers leave through `send`, and the image
// goes into slot 1 through a SlotStream as blocks are acknowledged.
//
//   start ─first block─► data ─EOT─► drain ─quiet─► done         (XMODEM)
//   start ─block 0─► data ─EOT─► batch-end ─empty block 0─► drain  (YMODEM)
//
// Choices, after lrzsz (rz.c, wcrx/wcgetsec) unless noted:
// - start: the start byte ('C', or NAK for the checksum) every startIntervalMs until a block
//   comes, at most startTries times (U-Boot gives up the same way);
// - a bad frame (bad CRC/checksum, bad complement, a header byte that is not SOH/STX/EOT/CAN)
//   purges the line: everything is dropped until it stays quiet for quietMs, then one NAK (or
//   the start byte before the first block), so a half-received block never earns two NAKs;
// - the first EOT is acknowledged at once, not NAKed first as ymodem.txt's example shows (lrzsz
//   acknowledges an EOT that nothing follows; an EOT with bytes after it is line noise: purge);
// - a repeat of the block just taken (its ACK got lost) is acknowledged and not written again;
//   any other number is a loss of synchronization: CAN CAN (lrzsz: "Sync Error");
// - XMODEM keeps the SUB padding of the last block (it has no length); YMODEM cuts the file at
//   the length in block 0 (and keeps the padding when block 0 has no length);
// - a sender that never sends the empty block 0 after the EOT gets blockTimeoutMs, then the
//   image (already complete at the EOT) stands;
// - after the end (done, cancelled, given up) the receiver still owns the line until it has been
//   quiet for quietMs, so a sender's late bytes do not land in the shell as a command.
import { IoBuf } from '../../../rig/engine/iobuf.js';
import { ACK, type Block, CAN, CRC_REQUEST, decodeSenderFrame, decodeYmodemHeader, NAK, type SenderFrame } from '../../../protocols/xmodem/xmodem-codec.js';
import { type ModeParams, modeParams, type ReceiveMode, type ReceiverTiming } from './receive-options.js';
import type { SlotStream } from './slot-stream.js';
import type { UploadSlot } from './upload-slot.js';

type Phase = 'start' | 'data' | 'batch-end' | 'drain' | 'done';

export type ReceiveOutcome =
  | { ok: true; bytes: number; blocks: number; sha256: Uint8Array; name?: string }
  | { ok: false; reason: string; bytes: number };

export interface ReceiverOptions {
  mode: ReceiveMode;
  timing: ReceiverTiming;
  /** bug mode xmodem-block-number-not-checked: a block out of sequence is taken as the next one */
  acceptAnyBlockNumber?: boolean;
}

/** What we send to cancel: CAN CAN is the rule, a third survives one lost byte. */
const CANCEL = Uint8Array.of(CAN, CAN, CAN);

export class XmodemReceiver {
  private phase: Phase = 'start';
  private outcomeValue: ReceiveOutcome | undefined;
  private readonly p: ModeParams;
  private readonly buf = new IoBuf(4096);
  private stream: SlotStream | undefined;
  /** the number of the last block taken (YMODEM block 0 included), for repeats */
  private last: number | undefined;
  private blocks = 0;
  /** YMODEM: the file's length from block 0 */
  private size: number | undefined;
  private name: string | undefined;
  private purging = false;
  private errors = 0;
  private tries = 0;
  private lastRx: number;
  /** when we last asked the sender for something (start byte, NAK after a timeout) */
  private lastAsk = -Infinity;

  constructor(
    private readonly opts: ReceiverOptions,
    private readonly slot: UploadSlot,
    private readonly send: (bytes: Uint8Array) => void,
    now: number,
  ) {
    this.p = modeParams(opts.mode);
    this.lastRx = now;
  }

  /** set once the transfer is over (the receiver may still be draining the line) */
  get outcome(): ReceiveOutcome | undefined {
    return this.outcomeValue;
  }

  /** the line is the shell's again */
  get done(): boolean {
    return this.phase === 'done';
  }

  input(bytes: Uint8Array, now: number): void {
    this.lastRx = now;
    if (this.phase === 'drain' || this.phase === 'done' || this.purging) return;
    this.buf.append(bytes);
    while (this.buf.length > 0 && !this.purging && this.isReceiving()) {
      const view = this.buf.view();
      const r = decodeSenderFrame(view, { check: this.p.check, maxSize: this.p.maxSize });
      if (r.kind === 'incomplete') return;
      if (r.kind === 'malformed') return this.error(r.rule);
      if (r.value.kind === 'eot' && view.length > 1) return this.error('an EOT with more bytes after it is line noise, not the end (lrzsz)');
      this.buf.consume(r.consumed);
      this.frame(r.value);
    }
  }

  poll(now: number): void {
    const quiet = now - this.lastRx;
    if (this.phase === 'drain') {
      if (quiet >= this.opts.timing.quietMs) this.phase = 'done';
      return;
    }
    if (!this.isReceiving()) return;
    if (this.purging) {
      if (quiet < this.opts.timing.quietMs) return;
      this.purging = false;
      return this.ask(now);
    }
    const t = this.opts.timing;
    if (this.phase === 'start') {
      // a block may be arriving: not in its middle, unless it stalled
      if (now - this.lastAsk < t.startIntervalMs || (this.buf.length > 0 && quiet < t.startIntervalMs)) return;
      if (this.tries >= t.startTries) return this.end({ ok: false, reason: `no sender: ${this.tries} start requests went unanswered`, bytes: 0 });
      this.buf.clear();
      return this.ask(now);
    }
    if (now - Math.max(this.lastRx, this.lastAsk) < t.blockTimeoutMs) return;
    // the file is whole: a sender that does not end the batch does not undo it
    if (this.phase === 'batch-end') return this.succeed();
    this.buf.clear();
    if (this.count(`no data for ${t.blockTimeoutMs} ms`)) this.ask(now);
  }

  private isReceiving(): boolean {
    return this.phase === 'start' || this.phase === 'data' || this.phase === 'batch-end';
  }

  /** The start byte before the first block, 'C' while waiting for the end of a batch, else NAK. */
  private ask(now: number): void {
    this.lastAsk = now;
    if (this.phase === 'start') {
      this.tries++;
      this.send(Uint8Array.of(this.p.check === 'crc' ? CRC_REQUEST : NAK));
    } else {
      this.send(Uint8Array.of(this.phase === 'batch-end' ? CRC_REQUEST : NAK));
    }
  }

  /** A bad frame: purge the line, then ask again (from poll, once it is quiet). */
  private error(why: string): void {
    this.buf.clear();
    if (this.phase !== 'start' && !this.count(why)) return;
    this.purging = true;
  }

  /** One more error on this block; false when that was one too many (the transfer is cancelled). */
  private count(why: string): boolean {
    this.errors++;
    if (this.errors <= this.opts.timing.maxErrors) return true;
    this.cancel(`${this.errors} errors in a row, the last: ${why}`);
    return false;
  }

  private frame(f: SenderFrame): void {
    switch (f.kind) {
      case 'cancel':
        this.stream?.abort('the sender cancelled (CAN CAN)');
        return this.end({ ok: false, reason: 'the sender cancelled (CAN CAN)', bytes: this.stream?.length ?? 0 });
      case 'eot':
        return this.eot();
      case 'block':
        return this.block(f.block);
    }
  }

  private eot(): void {
    if (this.phase === 'batch-end') return this.send(Uint8Array.of(ACK, CRC_REQUEST)); // our ACK got lost
    if (this.phase === 'start') {
      // XMODEM: an empty file (lrzsz takes it); YMODEM: block 0 must come first
      if (this.p.ymodem) return this.error('YMODEM starts with block 0, got EOT');
      this.stream = this.slot.begin('xmodem');
    }
    const s = this.stream;
    if (!s?.finish()) return this.cancel(s?.problem ?? 'EOT before any block');
    this.send(Uint8Array.of(ACK));
    if (!this.p.ymodem) return this.succeed();
    // YMODEM: the file is whole; 'C' asks for the next file's block 0 (the empty one ends the batch)
    this.phase = 'batch-end';
    this.errors = 0;
    this.send(Uint8Array.of(CRC_REQUEST));
  }

  private block(b: Block): void {
    if (this.p.ymodem && this.phase === 'start') {
      if (b.number !== 0) return this.cancel(`expected YMODEM block 0 (file name and size), got block ${b.number}`);
      return this.header(b);
    }
    if (this.phase === 'batch-end') {
      if (b.number !== 0) return this.error(`block ${b.number} after the EOT: expected the empty block 0 that ends the batch`);
      const h = decodeYmodemHeader(b.payload);
      if (h.kind === 'ok' && h.value === null) {
        this.send(Uint8Array.of(ACK));
        return this.succeed();
      }
      return this.cancel('a second file in the batch: slot 1 takes one image');
    }
    const expected = ((this.last ?? 0) + 1) & 0xff;
    if (b.number === expected) return this.take(b);
    if (b.number === this.last) {
      // the sender did not get our ACK: acknowledge again, write nothing (a repeated block 0 wants its 'C' too)
      this.errors = 0;
      return this.send(this.p.ymodem && this.blocks === 0 ? Uint8Array.of(ACK, CRC_REQUEST) : Uint8Array.of(ACK));
    }
    if (this.opts.acceptAnyBlockNumber) return this.take(b);
    this.cancel(`block ${b.number} is out of sequence: expected ${expected}${this.last === undefined ? '' : ` (or ${this.last} again)`}`);
  }

  private header(b: Block): void {
    const h = decodeYmodemHeader(b.payload);
    if (h.kind !== 'ok') return this.cancel(`bad YMODEM block 0: ${h.kind === 'malformed' ? h.rule : 'incomplete'}`);
    if (h.value === null) {
      // an empty batch: nothing to receive
      this.send(Uint8Array.of(ACK));
      return this.end({ ok: false, reason: 'the sender ended the batch without a file', bytes: 0 });
    }
    const { name, size } = h.value;
    if (size !== undefined && size > this.slot.capacity) return this.cancel(`${name} is ${size} bytes; slot 1 holds ${this.slot.capacity}`);
    this.name = name;
    this.size = size;
    this.stream = this.slot.begin('ymodem', name);
    this.last = 0;
    this.phase = 'data';
    this.errors = 0;
    this.send(Uint8Array.of(ACK, CRC_REQUEST));
  }

  private take(b: Block): void {
    this.stream ??= this.slot.begin('xmodem');
    const s = this.stream;
    const data = this.size === undefined ? b.payload : b.payload.subarray(0, Math.max(0, this.size - s.length));
    if (data.length > s.room) return this.cancel(`the image does not fit: slot 1 holds ${s.capacity} bytes`);
    if (!s.write(data)) return this.cancel(s.problem ?? 'the slot refused the block');
    this.last = b.number;
    this.blocks++;
    this.errors = 0;
    this.phase = 'data';
    this.send(Uint8Array.of(ACK));
  }

  /** The image is complete in the slot (finished at the EOT). */
  private succeed(): void {
    const s = this.stream;
    if (s?.state !== 'complete') return this.cancel(s?.problem ?? 'no image');
    this.end({ ok: true, bytes: s.length, blocks: this.blocks, sha256: s.sha256(), ...(this.name === undefined ? {} : { name: this.name }) });
  }

  private cancel(reason: string): void {
    this.send(CANCEL);
    this.stream?.abort(reason);
    this.end({ ok: false, reason, bytes: this.stream?.length ?? 0 });
  }

  private end(outcome: ReceiveOutcome): void {
    this.outcomeValue = outcome;
    this.phase = 'drain';
    this.purging = false;
    this.buf.clear();
  }
}

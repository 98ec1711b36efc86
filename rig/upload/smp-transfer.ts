// One pass of an SMP image upload over one open link: the first chunk alone (it names the file
// with len and sha, and the board's answer says where it stands: 0, or further on when it holds
// part of the same file), then a window of chunks in flight. The board's "off" rules: an answer
// whose off differs from the end of the chunk it answers means "continue from there" (Zephyr's
// img_mgmt drops a chunk at the wrong offset and answers the offset it wants; after a reset it
// wants 0), so the transfer rewinds to it. Requests sent before a rewind are stale: their
// answers are only counted, never acted on (an epoch number tells them apart).
//
// It ends with 'done' when the board reports off == len, or 'link' when the link is gone or
// silent, for the caller to reopen it and run another pass (which resumes at the board's
// offset); a board that refuses (an SMP error on the first chunk, an offset past the end, an
// offset it never takes) rejects with a board error.
import { describeError } from '../engine/errors.js';
import { describeSmpError } from '../../protocols/smp/smp-errors.js';
import { readUpload } from '../../protocols/smp/smp-image-group.js';
import { SmpRequestError } from '../../protocols/smp/smp-protocol.js';
import { SmpResponseError } from '../../protocols/smp/smp-request.js';
import type { FileReader } from './file-reader.js';
import type { ProgressSink } from './progress.js';
import { type ChunkPlan, chunkAt, chunkRequest } from './smp-chunking.js';
import type { SmpLink } from './smp-link.js';
import { boardError } from './upload-errors.js';

export type TransferOutcome = { kind: 'done'; match?: boolean } | { kind: 'link'; reason: string };

export interface TransferStats {
  /** upload requests sent */
  requests: number;
  /** data bytes sent, resends included */
  sentBytes: number;
  /** times the board's offset differed from ours and the transfer went on from the board's */
  rewinds: number;
  /** requests that got no answer in time */
  timeouts: number;
  /** times the board started over at offset 0 (a reset, a lost upload) */
  restarts: number;
}

export interface TransferConfig {
  len: number;
  sha: Uint8Array;
  plan: ChunkPlan;
  timeoutMs: number;
  image?: number;
  /** timeouts in a row, without the board's offset moving, before the link counts as lost */
  maxStalls?: number;
  note(line: string): void;
}

interface Chunk {
  off: number;
  len: number;
  epoch: number;
}

/** the first chunk may make the board erase the slot: it gets this many times the timeout */
const FIRST_CHUNK_TIMEOUT_FACTOR = 4;
/** answers asking for the same offset, with no progress between, before the board is at fault */
const MAX_SAME_REWINDS = 8;
/** routine offset corrections (a lost chunk or answer) told before the rest are only counted */
const NOTED_CORRECTIONS = 3;
/** SMP errors on later chunks answered by starting over, before giving up */
const MAX_RESTARTS = 3;

export class SmpTransfer {
  private epoch = 0;
  /** the next offset to send */
  private next = 0;
  /** the board's offset as its last fresh answer gave it */
  private acked = 0;
  private outstanding = 0;
  /** the first chunk of this epoch is out and unanswered: nothing else goes until it is answered */
  private firstPending = true;
  private stalls = 0;
  private sameRewinds = 0;
  private lastRewindTo = -1;
  private errorRestarts = 0;
  /** offset corrections told so far */
  private quietRewinds = 0;
  private finished = false;
  /** sends go out in order: each waits for the read before it */
  private chain: Promise<void> = Promise.resolve();
  private settle!: (o: TransferOutcome) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly link: SmpLink,
    private readonly reader: FileReader,
    private readonly cfg: TransferConfig,
    private readonly progress: ProgressSink,
    private readonly stats: TransferStats,
  ) {}

  run(): Promise<TransferOutcome> {
    return new Promise<TransferOutcome>((resolve, reject) => {
      this.settle = (o) => {
        if (this.finished) return;
        this.finished = true;
        resolve(o);
      };
      this.reject = (e) => {
        if (this.finished) return;
        this.finished = true;
        reject(e);
      };
      if (this.cfg.len === 0) return this.settle({ kind: 'done' });
      this.pump();
    });
  }

  private get window(): number {
    return this.firstPending ? 1 : this.cfg.plan.window;
  }

  private pump(): void {
    while (!this.finished && this.outstanding < this.window && this.next < this.cfg.len) {
      const c: Chunk = { off: this.next, len: chunkAt(this.cfg.plan, this.cfg.len, this.next), epoch: this.epoch };
      this.next += c.len;
      this.outstanding++;
      this.chain = this.chain.then(() => this.send(c)).catch((e: unknown) => this.reject(e));
    }
  }

  private async send(c: Chunk): Promise<void> {
    if (this.finished || c.epoch !== this.epoch) return this.dropUnsent();
    const data = await this.reader.read(c.off, c.len);
    if (this.finished || c.epoch !== this.epoch) return this.dropUnsent();
    const timeoutMs = c.off === 0 ? this.cfg.timeoutMs * FIRST_CHUNK_TIMEOUT_FACTOR : this.cfg.timeoutMs;
    // encoded at once: the reader's buffer may be reused after this
    const answer = this.link.request(chunkRequest(this.cfg.len, this.cfg.sha, c.off, data, { image: this.cfg.image, timeoutMs }));
    this.stats.requests++;
    this.stats.sentBytes += c.len;
    answer.then(
      (res) => this.onAnswer(c, () => readUpload(res)),
      (e: unknown) => this.onFailure(c, e),
    );
  }

  private dropUnsent(): void {
    this.outstanding--;
    this.pump();
  }

  private onAnswer(c: Chunk, read: () => { off: number; match?: boolean }): void {
    this.outstanding--;
    if (this.finished) return;
    let up: { off: number; match?: boolean };
    try {
      up = read();
    } catch (e) {
      return this.onRefusal(c, e);
    }
    if (up.off > this.cfg.len) return this.reject(boardError(`the board answered the chunk at ${c.off} with off ${up.off}, past the ${this.cfg.len} bytes announced in "len" (smp_group_1.rst: off is the offset the board expects next)`));
    if (up.off === this.cfg.len) return this.settle({ kind: 'done', match: up.match });
    if (c.epoch !== this.epoch) return this.pump();
    this.firstPending = false;
    const expected = c.off + c.len;
    if (up.off === expected) {
      this.advance(up.off);
      return this.pump();
    }
    this.rewind(up.off, `the board answered the chunk at ${c.off} with off ${up.off}${up.off === 0 ? ' (it lost the upload: a reset?)' : ''}; going on from there`, c.off === 0);
  }

  private advance(off: number): void {
    if (off > this.acked) {
      this.stalls = 0;
      this.sameRewinds = 0;
      this.errorRestarts = 0;
    }
    this.acked = off;
    this.progress.update(off);
  }

  /** Go on from the board's offset `off`: what was sent after it is stale. */
  private rewind(off: number, why: string, news = false): void {
    if (off === this.lastRewindTo && off <= this.acked) {
      if (++this.sameRewinds > MAX_SAME_REWINDS) return this.reject(boardError(`the board asked for offset ${off} ${this.sameRewinds} times without taking the chunk sent there`));
    } else {
      this.sameRewinds = 0;
    }
    this.lastRewindTo = off;
    this.epoch++;
    this.stats.rewinds++;
    if (off === 0 && this.acked > 0) this.stats.restarts++;
    // a resume or a restart is news; the corrections of a lossy link are counted, and only the first told
    if (news || off === 0) this.cfg.note(why);
    else if (++this.quietRewinds <= NOTED_CORRECTIONS) this.cfg.note(`${why}${this.quietRewinds === NOTED_CORRECTIONS ? ' (further corrections are only counted)' : ''}`);
    this.next = off;
    this.acked = off;
    this.firstPending = off === 0;
    this.progress.update(off);
    this.pump();
  }

  private onRefusal(c: Chunk, e: unknown): void {
    const what = e instanceof SmpResponseError && e.smpError ? describeSmpError(e.smpError) : describeError(e);
    if (c.epoch !== this.epoch) return this.pump();
    if (c.off === 0) return this.reject(boardError(`the board refused the upload: ${what}`, e));
    // the last chunk is where the board checks the whole file: sending it all again changes nothing
    if (c.off + c.len === this.cfg.len) return this.reject(boardError(`the board refused the last chunk (at ${c.off}): ${what}`, e));
    if (++this.errorRestarts > MAX_RESTARTS) return this.reject(boardError(`the board refused the chunk at ${c.off}: ${what} (after starting over ${MAX_RESTARTS} times)`, e));
    this.rewind(0, `the board refused the chunk at ${c.off} (${what}); starting over with the first chunk, which names the file by its sha so the board can resume`);
  }

  private onFailure(c: Chunk, e: unknown): void {
    this.outstanding--;
    if (this.finished) return;
    if (!(e instanceof SmpRequestError)) return this.reject(e);
    if (e.reason === 'closed') return this.settle({ kind: 'link', reason: this.link.lastError || e.message });
    if (e.reason === 'mismatch') return this.reject(boardError(e.message, e));
    this.stats.timeouts++;
    if (c.epoch !== this.epoch) return this.pump();
    if (++this.stalls > (this.cfg.maxStalls ?? 3)) return this.settle({ kind: 'link', reason: `no answer to ${this.stalls} requests in a row (${e.message})${this.link.lastError ? `; ${this.link.lastError}` : ''}` });
    this.rewind(this.acked, `no answer to the chunk at ${c.off} within ${c.off === 0 ? this.cfg.timeoutMs * FIRST_CHUNK_TIMEOUT_FACTOR : this.cfg.timeoutMs} ms; sending again from ${this.acked}`);
  }
}

// Q-Block1 uploads (RFC 9177) on CoapEndpoint.requestStream(): bursts of NON blocks with the
// state machine of qblock1-sender.ts, a fresh token per block, Request-Tag and Size1 on every
// block (§4.3, §4.6). Support is learnt with a CON first block (§4.1): a server without Q-Block
// answers 4.02 Bad Option (Q-Block1 is critical) and the upload falls back to Block1; the
// answer is remembered per endpoint, so later uploads skip the probe.
import { blockOption, blockSize, encodeBlock } from '../block-option.js';
import type { CoapRequestError, CoapResponse } from '../client-requests.js';
import { CoapCode, isSuccess } from '../coap-codes.js';
import type { CoapEndpoint } from '../coap-endpoint.js';
import { CoapOptionNumber, contentFormat, type OptionValueInput } from '../coap-options.js';
import type { CoapMethod } from '../coap-request.js';
import { type ClockHandle, HilrigError } from '../../../rig/engine/index.js';
import { CoapBlockError } from './block-error.js';
import { block1Put, type Block1Options, type Block1Result, refuseErrors } from './block1-client.js';
import { checkSzx, type BlockStats } from './block-progress.js';
import { type BlockRequestSpec, refuseBlockOptions } from './block2-client.js';
import { checkMissingBlocks, decodeMissingBlocks, MISSING_BLOCKS_CBOR_SEQ } from './missing-blocks-cbor.js';
import { qblockParams, type QBlockParams } from './qblock-params.js';
import { QBlock1Sender } from './qblock1-sender.js';

export interface QBlock1Options extends Block1Options {
  /** the manager's clock (the pauses between bursts run on it; the endpoint's now() must be its time) */
  clock: { schedule(ms: number, fn: () => void): ClockHandle };
  params?: Partial<QBlockParams>;
  /** Request-Tag of this body (default: random 4 bytes, RFC 9177 §4.3 asks for one unique per body) */
  requestTag?: Uint8Array;
  /**
   * probe support with a CON first block (default: unless this endpoint's server already
   * answered the probe; true probes again, false trusts that the server has Q-Block1)
   */
  probe?: boolean;
  random?: () => number;
}

export interface QBlockStats extends BlockStats {
  /** blocks sent again (asked for by a 4.08, or probes of the last block) */
  resent: number;
  /** 4.08 responses dropped because their list broke RFC 9177 §5 */
  ignoredIncomplete: number;
}

export interface QBlock1Result extends Block1Result {
  /** false when the server lacked Q-Block1 and the body went with Block1 */
  usedQBlock: boolean;
  stats: QBlockStats;
}

/** What each endpoint's server answered to Q-Block1 (learnt once, RFC 9177 §4.1). */
const support = new WeakMap<CoapEndpoint, boolean>();

export async function qblock1Put(ep: CoapEndpoint, spec: BlockRequestSpec, body: Uint8Array, opts: QBlock1Options): Promise<QBlock1Result> {
  checkSzx(opts.szx);
  refuseBlockOptions(spec);
  const params = qblockParams(ep.params, opts.params);
  if (support.get(ep) !== false || opts.probe === true) {
    const out = await new QBlock1Run(ep, spec, body, opts, params, opts.probe ?? support.get(ep) !== true).done;
    if (out !== 'unsupported') {
      support.set(ep, true);
      return out;
    }
    support.set(ep, false);
  }
  const r: Block1Result = await block1Put(ep, spec, body, opts);
  return { ...r, usedQBlock: false, stats: { ...r.stats, resent: 0, ignoredIncomplete: 0 } };
}

class QBlock1Run {
  readonly done: Promise<QBlock1Result | 'unsupported'>;
  private settle!: (r: QBlock1Result | 'unsupported') => void;
  private fail!: (e: Error) => void;
  private readonly szx: number;
  private readonly size: number;
  private readonly total: number;
  private readonly tag: Uint8Array;
  private readonly method: CoapMethod;
  private readonly started: number;
  private sender: QBlock1Sender | undefined;
  private probing: boolean;
  private finished = false;
  private timer: ClockHandle | undefined;
  private readonly tokens = new Map<string, { token: Uint8Array; num: number }>();
  private ignored = 0;
  private readonly probed: boolean;

  constructor(
    private readonly ep: CoapEndpoint,
    private readonly spec: BlockRequestSpec,
    private readonly body: Uint8Array,
    private readonly opts: QBlock1Options,
    private readonly params: QBlockParams,
    probe: boolean,
  ) {
    this.done = new Promise((resolve, reject) => ((this.settle = resolve), (this.fail = reject)));
    this.szx = opts.szx ?? 6;
    this.size = blockSize(this.szx);
    this.total = Math.max(1, Math.ceil(body.length / this.size));
    const random = opts.random ?? Math.random;
    this.tag = opts.requestTag ?? Uint8Array.from({ length: 4 }, () => Math.floor(random() * 256));
    this.method = opts.method ?? spec.method ?? 'PUT';
    this.started = ep.io.now();
    this.probing = probe;
    this.probed = probe;
    if (probe) this.send(0, true);
    else this.begin(0);
  }

  private begin(firstNew: number): void {
    this.sender = new QBlock1Sender(this.total, this.params, this.opts.random ?? Math.random, firstNew);
    this.sendAll(this.sender.start(this.ep.io.now()));
  }

  private send(num: number, confirmable: boolean): void {
    const more = num < this.total - 1;
    const options: { number: number; value: OptionValueInput }[] = [
      ...(this.spec.options ?? []),
      { number: CoapOptionNumber.Q_BLOCK1, value: encodeBlock({ num, more, szx: this.szx }) },
      { number: CoapOptionNumber.SIZE1, value: this.body.length },
      { number: CoapOptionNumber.REQUEST_TAG, value: this.tag },
    ];
    const payload = this.body.subarray(num * this.size, (num + 1) * this.size);
    // the transfer watches its own time; the endpoint keeps every token until the body is done
    const msg = this.ep.requestStream(
      { ...this.spec, method: this.method, confirmable, payload, options, timeoutMs: Infinity },
      (res) => (this.onResponse(res), true),
      (e) => this.onError(e),
      { burst: !confirmable, onEmptyAck: confirmable ? () => this.onProbeAck() : undefined },
    );
    this.tokens.set(Buffer.from(msg.token).toString('hex'), { token: msg.token, num });
  }

  private sendAll(nums: readonly number[]): void {
    for (const n of nums) if (!this.finished) this.send(n, false);
    this.arm();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const due = this.sender?.deadline ?? Infinity;
    if (due === Infinity || this.finished) return;
    this.timer = this.opts.clock.schedule(Math.max(0, due - this.ep.io.now()), () => this.onTimer());
  }

  /** §4.3: a CON block is acknowledged and not answered until the body is complete: Q-Block1 is supported. */
  private onProbeAck(): void {
    if (!this.probing || this.finished) return;
    this.probing = false;
    this.begin(1);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.finished || !this.sender) return;
    const next = this.sender.onTimeout(this.ep.io.now());
    if (next === 'give-up') {
      return this.end(new HilrigError('TIMEOUT', `RFC 9177 §7.2: no answer to the ${this.total}-block body after ${this.sender.unansweredProbes} probes of its last block (NON_MAX_RETRANSMIT ${this.params.nonMaxRetransmit})`));
    }
    this.sendAll(next);
  }

  private onError(e: CoapRequestError): void {
    // cancelled: our own clean-up; timeout cannot happen (no deadline); anything else ends the upload
    if (this.finished || e.reason === 'cancelled' || e.reason === 'timeout') return;
    this.end(e);
  }

  private onResponse(res: CoapResponse): void {
    if (this.finished) return;
    const msg = res.msg;
    const now = this.ep.io.now();
    if (this.probing) {
      this.probing = false;
      // §4.1: a server without Q-Block rejects the critical option of the CON with 4.02
      if (msg.code === CoapCode.BAD_OPTION) return this.end('unsupported');
      if (msg.code === CoapCode.CONTINUE) return this.begin(1);
    }
    if (msg.code === CoapCode.CONTINUE && this.sender) {
      const q = blockOption(msg, CoapOptionNumber.Q_BLOCK1);
      const num = q?.kind === 'ok' ? q.value.num : (this.tokens.get(Buffer.from(msg.token).toString('hex'))?.num ?? -1);
      this.sendAll(this.sender.onContinue(num, now));
      return this.progress();
    }
    if (msg.code === CoapCode.REQUEST_ENTITY_INCOMPLETE && contentFormat(msg) === MISSING_BLOCKS_CBOR_SEQ && this.sender) {
      const list = decodeMissingBlocks(msg.payload);
      // §5: a list that is not ascending and unique, or names no block of the body, is dropped
      if (list.kind !== 'ok' || checkMissingBlocks(list.value, this.total) !== undefined) {
        this.ignored++;
        return;
      }
      return this.sendAll(this.sender.onMissing(list.value, now));
    }
    const what = `the Q-Block1 upload of ${this.total} blocks`;
    try {
      refuseErrors(res, what, this.body.length);
    } catch (e) {
      return this.end(e as Error);
    }
    if (isSuccess(msg.code) && this.sender && !this.sender.allSent) {
      return this.end(new CoapBlockError('RFC 9177 §4.3', `${what} was answered ${msg.code === CoapCode.CHANGED ? '2.04' : 'with success'} before block ${this.sender.nextNew} was sent`, msg));
    }
    this.end(this.result(res));
  }

  private progress(): void {
    const s = this.sender;
    if (!s) return;
    const done = Math.min(this.body.length, (s.confirmed + 1) * this.size);
    this.opts.onProgress?.({ direction: 'upload', bytesDone: done, bytesTotal: this.body.length, blocks: s.confirmed + 1, transmissions: this.tokens.size, elapsedMs: this.ep.io.now() - this.started });
  }

  private result(res: CoapResponse): QBlock1Result {
    const ok = isSuccess(res.msg.code);
    const done = ok ? this.body.length : Math.min(this.body.length, ((this.sender?.confirmed ?? -1) + 1) * this.size);
    if (ok) this.opts.onProgress?.({ direction: 'upload', bytesDone: done, bytesTotal: this.body.length, blocks: this.total, transmissions: this.tokens.size, elapsedMs: this.ep.io.now() - this.started });
    return {
      code: res.msg.code,
      body: res.msg.payload,
      response: res,
      usedQBlock: true,
      stats: {
        blocks: this.total,
        bytes: done,
        requests: this.tokens.size,
        transmissions: this.tokens.size,
        // the CON probe is a round trip of its own
        roundTrips: (this.sender?.rounds ?? 0) + (this.probed ? 1 : 0),
        szx: this.szx,
        elapsedMs: this.ep.io.now() - this.started,
        resent: this.sender?.resent ?? 0,
        ignoredIncomplete: this.ignored,
      },
    };
  }

  private end(out: QBlock1Result | 'unsupported' | Error): void {
    if (this.finished) return;
    this.finished = true;
    this.timer?.cancel();
    for (const { token } of this.tokens.values()) this.ep.cancel(token);
    if (out instanceof Error) this.fail(out);
    else this.settle(out);
  }
}

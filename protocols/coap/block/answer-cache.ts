// The large answer to a block-wise request (RFC 7959 §3.3): after the last Block1 block the
// server sends the first Block2 block of its answer, and the client asks for the others with
// the same method, a Block2 option and no payload. The server keeps the answer here meanwhile,
// per peer and resource, for `lifetimeMs` of clock time.
import { block1 as block1Of, block2 as block2Of } from '../block-option.js';
import { CoapOptionNumber } from '../coap-options.js';
import type { CoapExchange } from '../server-exchange.js';
import { serveBlock2, type ServeBlock2Options } from './serve-block2.js';
import { resourceOf } from './transfer-key.js';

interface Kept {
  body: Uint8Array;
  opts: ServeBlock2Options;
  method: number;
  until: number;
}

export class AnswerCache {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly lifetimeMs = 247_000) {}

  /** Answer `x` with the first block of `body` and keep the rest for the follow-up requests. */
  answer(x: CoapExchange, body: Uint8Array, now: number, opts: ServeBlock2Options = {}): void {
    // the follow-ups carry no Block1, so their answers echo none (§3.3); other options stay
    const options = opts.options?.filter((o) => o.number !== CoapOptionNumber.BLOCK1);
    this.kept.set(keyOf(x), { body, opts: { ...opts, options }, method: x.request.code, until: now + this.lifetimeMs });
    serveBlock2(x, body, opts);
  }

  /** A follow-up request for a later block of a kept answer: serve it and return true. */
  serve(x: CoapExchange, now: number): boolean {
    for (const [k, v] of this.kept) if (v.until <= now) this.kept.delete(k);
    const b2 = block2Of(x.request);
    if (b2?.kind !== 'ok' || b2.value.num === 0 || block1Of(x.request) !== undefined) return false;
    const kept = this.kept.get(keyOf(x));
    if (!kept || kept.method !== x.request.code) return false;
    serveBlock2(x, kept.body, kept.opts);
    return true;
  }
}

const keyOf = (x: CoapExchange): string => `${x.peer} ${resourceOf(x)}`;

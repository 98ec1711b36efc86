// Every notification of an observation, as it arrived: sequence number, arrival time on the
// manager clock, what the client judged, and the message. The conformance suite's check
// "Observe sequence numbers fresh and increasing" runs over this record; it re-applies the
// rules itself (RFC 7641 §2, §3.4, §4.4) rather than trusting the client's verdicts.
import { COAP_TYPE_NAMES, type CoapTypeName } from '../coap-types.js';
import type { CoapResponse } from '../client-requests.js';
import { isFresher, OBSERVE_SEQ_MODULUS, type SeqStamp } from './freshness.js';
import type { NotificationInfo, ObserveEndReason, ObserveOptions } from './observe-client.js';

export interface RecordedNotification {
  index: number;
  seq: number;
  arrivedAt: number;
  /** the client's verdict (§3.4) */
  fresh: boolean;
  registration: boolean;
  type: CoapTypeName;
  code: number;
  mid: number;
  maxAgeS: number;
  /** a copy: the message may view a buffer that is reused */
  payload: Uint8Array;
}

export interface ObserveViolation {
  /** index of the offending notification in the record */
  index: number;
  /** the rule broken, with its section */
  rule: string;
  detail: string;
}

export interface ObserveCheck {
  ok: boolean;
  /** how many notifications were checked */
  count: number;
  violations: ObserveViolation[];
  /** one line for a report */
  summary: string;
}

export class ObserveRecorder {
  readonly entries: RecordedNotification[] = [];
  ended?: { reason: ObserveEndReason; code?: number };

  record(res: CoapResponse, info: NotificationInfo): void {
    this.entries.push({
      index: info.index,
      seq: info.seq,
      arrivedAt: info.arrivedAt,
      fresh: info.fresh,
      registration: info.registration,
      type: COAP_TYPE_NAMES[res.msg.type],
      code: res.msg.code,
      mid: res.msg.mid,
      maxAgeS: info.maxAgeS,
      payload: res.msg.payload.slice(),
    });
  }

  /** Options for observe() that record, then call the given handlers. */
  attach(opts: ObserveOptions): ObserveOptions {
    return {
      ...opts,
      onNotification: (res, info) => {
        this.record(res, info);
        opts.onNotification(res, info);
      },
      onEnd: (reason, res) => {
        this.ended = res ? { reason, code: res.msg.code } : { reason };
        opts.onEnd?.(reason, res);
      },
    };
  }

  get seqs(): number[] {
    return this.entries.map((e) => e.seq);
  }

  /** Payloads as text, in arrival order. */
  texts(): string[] {
    const d = new TextDecoder();
    return this.entries.map((e) => d.decode(e.payload));
  }

  /**
   * Each notification must carry a 24-bit value (§2) and be fresher than the freshest one before
   * it (§3.4): from a well-behaved server over a link that does not reorder, that means strictly
   * increasing sequence numbers modulo 2^24 (§4.4), or a gap of more than 128 s.
   */
  checkFreshAndIncreasing(): ObserveCheck {
    const violations: ObserveViolation[] = [];
    let freshest: SeqStamp | undefined;
    for (const e of this.entries) {
      if (!Number.isInteger(e.seq) || e.seq < 0 || e.seq >= OBSERVE_SEQ_MODULUS) {
        violations.push({ index: e.index, rule: 'RFC 7641 §2', detail: `Observe value ${e.seq} in a notification does not fit 24 bits (0..${OBSERVE_SEQ_MODULUS - 1})` });
        continue;
      }
      if (!isFresher(freshest, e.seq, e.arrivedAt)) {
        const f = freshest!;
        violations.push({
          index: e.index,
          rule: 'RFC 7641 §3.4/§4.4',
          detail: `notification #${e.index} (MID 0x${e.mid.toString(16).padStart(4, '0')}) has Observe ${e.seq}, not fresher than ${f.seq} received ${e.arrivedAt - f.at} ms earlier: sequence numbers must increase`,
        });
        continue;
      }
      freshest = { seq: e.seq, at: e.arrivedAt };
    }
    const count = this.entries.length;
    const summary =
      violations.length === 0
        ? `${count} notifications, Observe ${this.seqs.join(', ') || '(none)'}: fresh and increasing`
        : `${violations.length} of ${count} notifications break the ordering rules; first: ${violations[0]!.detail} (${violations[0]!.rule})`;
    return { ok: violations.length === 0, count, violations, summary };
  }
}

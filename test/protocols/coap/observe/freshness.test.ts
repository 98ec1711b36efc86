// RFC 7641 §3.4 freshness: the 24-bit serial comparison, its wrap-around, the 2^23 window and
// the 128 s rule, by example and as properties.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FreshnessTracker,
  isFresher,
  nextSeq,
  OBSERVE_SEQ_HALF,
  OBSERVE_SEQ_MODULUS,
  REORDER_WINDOW_MS,
  seqNewer,
} from '../../../../protocols/coap/observe/freshness.js';

const MAX = OBSERVE_SEQ_MODULUS - 1;
const seq = fc.integer({ min: 0, max: MAX });

describe('Observe freshness (RFC 7641 §3.4)', () => {
  it('a larger value within 2^23 is newer; equal and smaller are not', () => {
    assert.equal(seqNewer(5, 6), true);
    assert.equal(seqNewer(5, 5), false);
    assert.equal(seqNewer(6, 5), false);
    assert.equal(seqNewer(0, OBSERVE_SEQ_HALF - 1), true);
  });

  it('the 2^23 window: a jump of exactly 2^23 or more is not newer, in either direction', () => {
    assert.equal(seqNewer(0, OBSERVE_SEQ_HALF), false, 'V2 - V1 = 2^23 is not < 2^23');
    assert.equal(seqNewer(OBSERVE_SEQ_HALF, 0), false, 'V1 - V2 = 2^23 is not > 2^23');
    assert.equal(seqNewer(OBSERVE_SEQ_HALF + 1, 0), true, 'V1 - V2 = 2^23 + 1 wrapped: newer');
    assert.equal(seqNewer(0, OBSERVE_SEQ_HALF + 1), false);
  });

  it('wrap-around at 2^24: 0 after 2^24-1 is newer, 2^24-1 after 0 is not', () => {
    assert.equal(nextSeq(MAX), 0);
    assert.equal(seqNewer(MAX, 0), true);
    assert.equal(seqNewer(MAX, 5), true);
    assert.equal(seqNewer(0, MAX), false);
  });

  it('the 128 s rule: more than 128 s after the freshest, anything is fresher; exactly 128 s is not enough', () => {
    const f = { seq: 100, at: 1000 };
    assert.equal(isFresher(f, 99, 1000 + REORDER_WINDOW_MS), false);
    assert.equal(isFresher(f, 99, 1000 + REORDER_WINDOW_MS + 1), true);
    assert.equal(isFresher(f, 100, 1000 + REORDER_WINDOW_MS + 1), true, 'even the same value');
    assert.equal(isFresher(undefined, 7, 0), true, 'the first notification');
  });

  it('the tracker keeps the freshest: a stale one does not move (V1, T1)', () => {
    const t = new FreshnessTracker();
    assert.equal(t.judge(10, 0).fresh, true);
    assert.equal(t.judge(12, 10).fresh, true);
    const stale = t.judge(11, 20);
    assert.equal(stale.fresh, false);
    assert.deepEqual(stale.previous, { seq: 12, at: 10 });
    assert.deepEqual(t.freshest, { seq: 12, at: 10 });
    // 128 s counts from the freshest (T1 = 10), not from the stale arrival at 20
    assert.equal(t.judge(11, 10 + REORDER_WINDOW_MS + 1).fresh, true);
  });

  describe('properties (fast-check)', () => {
    it('exactly one of "V2 newer", "V1 newer", "equal or 2^23 apart" holds', () => {
      fc.assert(
        fc.property(seq, seq, (a, b) => {
          const d = (b - a + OBSERVE_SEQ_MODULUS) % OBSERVE_SEQ_MODULUS;
          const cases = [seqNewer(a, b), seqNewer(b, a), d === 0 || d === OBSERVE_SEQ_HALF].filter(Boolean).length;
          return cases === 1;
        }),
        { numRuns: 20_000 },
      );
    });

    it('V1 + k (mod 2^24) is newer than V1 exactly for 1 <= k < 2^23', () => {
      fc.assert(
        fc.property(seq, fc.integer({ min: 0, max: MAX }), (v1, k) => seqNewer(v1, (v1 + k) % OBSERVE_SEQ_MODULUS) === (k >= 1 && k < OBSERVE_SEQ_HALF)),
        { numRuns: 20_000 },
      );
    });

    it('a server counting up by small steps is always fresh at the client, across any number of wraps', () => {
      fc.assert(
        fc.property(seq, fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 200, maxLength: 200 }), (start, steps, gaps) => {
          const t = new FreshnessTracker();
          let v = start;
          let at = 0;
          t.judge(v, at);
          return steps.every((s, i) => {
            v = (v + s) % OBSERVE_SEQ_MODULUS;
            at += gaps[i]!;
            return t.judge(v, at).fresh;
          });
        }),
        { numRuns: 2000 },
      );
    });

    it('a replayed older value within 128 s is never fresh; after more than 128 s it always is', () => {
      fc.assert(
        fc.property(seq, fc.integer({ min: 0, max: OBSERVE_SEQ_HALF - 1 }), fc.integer({ min: 0, max: 300_000 }), (v1, back, dt) => {
          const old = (v1 - back + OBSERVE_SEQ_MODULUS) % OBSERVE_SEQ_MODULUS;
          return isFresher({ seq: v1, at: 0 }, old, dt) === dt > REORDER_WINDOW_MS;
        }),
        { numRuns: 20_000 },
      );
    });
  });
});

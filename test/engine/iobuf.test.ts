import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IoBuf } from '../../rig/engine/index.js';

describe('IoBuf', () => {
  it('appends at the end and consumes from the front', () => {
    const b = new IoBuf(1024, 4);
    b.append(Uint8Array.of(1, 2, 3));
    b.append(Uint8Array.of(4, 5, 6, 7, 8));
    assert.deepEqual([...b.view()], [1, 2, 3, 4, 5, 6, 7, 8]);
    b.consume(3);
    assert.deepEqual([...b.view()], [4, 5, 6, 7, 8]);
    b.append(Uint8Array.of(9));
    assert.deepEqual([...b.view()], [4, 5, 6, 7, 8, 9]);
    assert.equal(b.length, 6);
  });

  it('refuses to consume more than it holds', () => {
    const b = new IoBuf();
    b.append(Uint8Array.of(1));
    assert.throws(() => b.consume(2), RangeError);
  });

  it('tells its owner when it drains', () => {
    const b = new IoBuf();
    let drains = 0;
    b.onDrain = () => drains++;
    b.append(Uint8Array.of(1, 2));
    b.consume(1);
    b.clear();
    assert.equal(drains, 2);
  });

  it('holds exactly what was appended minus what was consumed, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.nat(400))), (ops) => {
        const b = new IoBuf(1 << 20, 8);
        const model: number[] = [];
        for (const [bytes, take] of ops) {
          b.append(bytes);
          model.push(...bytes);
          const n = Math.min(take, model.length);
          b.consume(n);
          model.splice(0, n);
          assert.deepEqual([...b.view()], model);
        }
      }),
      { numRuns: 300 },
    );
  });
});

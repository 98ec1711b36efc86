// Chunk sizing: the largest chunk whose whole SMP request fits the board's buffer, exactly (one
// byte more does not fit), for the first chunk (with len and sha) and the rest; the window from
// buf_count; the safe defaults; and the user's overrides.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeSmp } from '../../protocols/smp/smp-header.js';
import { uploadRequest } from '../../protocols/smp/smp-image-group.js';
import { chunkAt, chunkRequest, maxChunkData, planChunks } from '../../rig/upload/smp-chunking.js';

const sha = new Uint8Array(32).fill(7);
const size = (len: number, off: number, n: number): number => {
  const r = chunkRequest(len, sha, off, new Uint8Array(n));
  return encodeSmp({ op: r.op, version: 1, flags: 0, group: r.group, seq: 0, id: r.id, body: r.body }).length;
};

describe('SMP upload chunking', () => {
  it('builds the same request as protocols/smp uploadRequest from the chunk alone', () => {
    const file = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const full = new Uint8Array(Buffer.from(sha256Hex(file), 'hex'));
    for (const off of [0, 1000]) {
      const ours = chunkRequest(file.length, full, off, file.subarray(off, off + 500));
      const theirs = uploadRequest(file, off, 500);
      assert.deepEqual(encodeSmp({ ...ours, version: 1, flags: 0, seq: 0, body: ours.body }), encodeSmp({ ...theirs, version: 1, flags: 0, seq: 0, body: theirs.body }));
    }
  });

  for (const limit of [128, 512, 2048, 8192]) {
    it(`fills a ${limit}-byte buffer exactly`, () => {
      for (const [len, off] of [[1_000_000, 0], [1_000_000, 999_000], [300, 0], [70_000, 65_536]] as const) {
        const n = maxChunkData(len, sha, off, limit);
        assert.ok(size(len, off, n) <= limit, `${n} bytes at ${off} fit`);
        assert.ok(size(len, off, n + 1) > limit, `${n + 1} bytes at ${off} do not`);
      }
    });
  }

  it('0 when not even an empty chunk fits', () => {
    assert.equal(maxChunkData(1000, sha, 0, 40), 0);
  });

  it('plans from the parameters: window buf_count - 1 (at most 16), serial leaves room for length and CRC', () => {
    const udp = planChunks({ len: 100_000, sha, transport: 'udp', params: { bufSize: 1024, bufCount: 4 } });
    assert.equal(udp.window, 3);
    assert.equal(size(100_000, 99_999, udp.rest) <= 1024, true);
    assert.ok(udp.first < udp.rest, 'the first chunk carries len and sha');
    const serial = planChunks({ len: 100_000, sha, transport: 'serial', params: { bufSize: 1024, bufCount: 4 } });
    assert.equal(serial.rest, udp.rest - 4);
    assert.equal(planChunks({ len: 10, sha, transport: 'udp', params: { bufSize: 4096, bufCount: 100 } }).window, 16);
    assert.equal(planChunks({ len: 10, sha, transport: 'udp', params: { bufSize: 4096, bufCount: 1 } }).window, 1);
  });

  it('defaults without parameters or with a useless buffer; --chunk and --window override', () => {
    assert.deepEqual(planChunks({ len: 10, sha, transport: 'udp' }), { first: 128, rest: 128, window: 1, source: 'defaults (the board did not answer MCUmgr parameters)' });
    assert.equal(planChunks({ len: 10, sha, transport: 'udp', params: { bufSize: 30, bufCount: 4 } }).rest, 128);
    const o = planChunks({ len: 10, sha, transport: 'udp', params: { bufSize: 1024, bufCount: 4 }, chunk: 200, window: 9 });
    assert.deepEqual([o.first, o.rest, o.window], [200, 200, 9]);
    assert.match(o.source, /board: buf_size 1024, buf_count 4; --chunk 200; --window 9/);
  });

  it('the last chunk is what is left', () => {
    const plan = { first: 90, rest: 100, window: 1, source: '' };
    assert.deepEqual([chunkAt(plan, 250, 0), chunkAt(plan, 250, 90), chunkAt(plan, 250, 190)], [90, 100, 60]);
  });
});

function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createPtyPair } from '../../drivers/serial/pty-pair.js';
import { type HilrigError } from '../../rig/engine/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Read what is waiting on a pty without serialport (which would flush it on open). */
function readAvailable(fd: number): string {
  const buf = Buffer.alloc(256);
  try {
    return buf.subarray(0, fs.readSync(fd, buf)).toString();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return '';
    throw e;
  }
}

describe('socat pty pair', () => {
  it('links two ptys and is gone after close()', async () => {
    const pair = await createPtyPair();
    assert.ok(pair.pid !== undefined && alive(pair.pid), 'socat runs');
    assert.match(pair.boardSide, /^\/dev\/pts\/\d+$/);
    assert.match(pair.rigSide, /^\/dev\/pts\/\d+$/);
    assert.notEqual(pair.boardSide, pair.rigSide);
    const flags = fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK;
    const board = fs.openSync(pair.boardSide, flags);
    const rig = fs.openSync(pair.rigSide, flags);
    try {
      fs.writeSync(board, 'hello rig\n');
      let got = '';
      const deadline = Date.now() + 5000;
      while (!got.includes('\n') && Date.now() < deadline) {
        got += readAvailable(rig);
        if (!got.includes('\n')) await new Promise((r) => setImmediate(r));
      }
      assert.equal(got, 'hello rig\n');
    } finally {
      fs.closeSync(board);
      fs.closeSync(rig);
      await pair.close();
    }
    await pair.close(); // idempotent
    assert.ok(!alive(pair.pid), 'socat is gone');
  });

  it('says how to get socat when it is missing', async () => {
    await assert.rejects(createPtyPair({ socat: '/nonexistent/socat' }), (e: HilrigError) => {
      assert.equal(e.code, 'OPEN_FAILED');
      assert.match(e.message, /socat not found: `apt-get install socat`, or attach with --serial PATH/);
      return true;
    });
  });
});

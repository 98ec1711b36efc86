// What becomes of bytes a board prints before the rig opens its console, on a socat pty. This
// is why `hilrig console --reset` exists. The test waits for socat to have forwarded the early
// bytes by watching socat's write counter in /proc (Linux), so the outcome is not a race.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createPtyPair, type PtyPair } from '../../drivers/serial/pty-pair.js';
import { ConsoleSession } from '../../rig/console/console-session.js';
import { Manager } from '../../rig/index.js';
import { waitFor } from '../helpers/wait.js';

/** Bytes socat has written so far (to either pty, and its stderr). */
function socatWritten(pid: number): number {
  const m = /^wchar: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m?.[1]);
}

describe('console bytes printed before the rig attached', function () {
  this.timeout(15000);
  let pair: PtyPair;
  let board: number;
  let rig: Manager;
  beforeEach(async () => {
    pair = await createPtyPair();
    board = fs.openSync(pair.boardSide, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    rig = new Manager();
  });
  afterEach(async () => {
    await rig.shutdown();
    fs.closeSync(board);
    await pair.close();
  });

  /** The board prints `text` and socat has passed it on to the rig side's input queue. */
  async function printEarly(text: string): Promise<void> {
    const before = socatWritten(pair.pid!);
    fs.writeSync(board, text);
    await waitFor(() => socatWritten(pair.pid!) >= before + text.length, 'socat to forward the early bytes');
  }

  it('are kept by the pty until someone opens it', async () => {
    await printEarly('*** Booting early ***\r\n');
    const raw = fs.openSync(pair.rigSide, fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(64);
      assert.equal(buf.subarray(0, fs.readSync(raw, buf)).toString(), '*** Booting early ***\r\n');
    } finally {
      fs.closeSync(raw);
    }
  });

  it('are lost to the serial driver, which flushes the port when it opens it', async () => {
    await printEarly('*** Booting early ***\r\n');
    const s = await ConsoleSession.attach(rig, `serial://${pair.rigSide}`, { label: 'board' });
    fs.writeSync(board, 'after attach\r\n');
    await s.expect('after attach', { timeoutMs: 5000 });
    assert.deepEqual(s.lines().map((l) => l.text), ['after attach']);
  });
});

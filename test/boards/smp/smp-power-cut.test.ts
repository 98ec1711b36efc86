// Power loss in the middle of an SMP upload (`hilrig sim --power-cut-at BYTES`): the flash model
// cuts a write, the board resets (banner again), MCUboot finds nothing to boot from slot 1, the
// partial image is never marked valid, and a fresh upload succeeds.
import assert from 'node:assert/strict';
import { isPowerLoss, PowerLoss } from '../../../boards/virtual/flash/index.js';
import type { BoardService } from '../../../boards/virtual/service.js';
import { boardServices } from '../../../boards/virtual/services/index.js';
import { type RunningBoard, VirtualBoard } from '../../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { imageStateRequest, imageStateWriteRequest, readImageState, smpErrorOf } from '../../../protocols/smp/smp-groups.js';
import { SmpRequestError, smpRequest } from '../../../protocols/smp/smp-protocol.js';
import { testImage } from '../flash/test-image.js';
import { waitFor } from '../../helpers/wait.js';
import { bootNumber, type SmpBoard, startSmpBoard, upload } from './smp-board-fixture.js';

const image = testImage({ size: 100 * 1024, version: '3.1.0', seed: 11 });

describe('virtual board: power cut during an SMP upload', function () {
  this.timeout(15000);
  let board: SmpBoard | undefined;
  let other: RunningBoard | undefined;
  afterEach(async () => {
    await board?.stop();
    await other?.stop();
    board = other = undefined;
  });

  it('resets the board mid-write; the partial image is not valid; a fresh upload succeeds', async () => {
    board = await startSmpBoard({ pty: false, powerCutAt: 40_000 });
    await assert.rejects(upload(board.udp, image.bytes, { timeoutMs: 500 }), (e: SmpRequestError) => {
      assert.ok(e instanceof SmpRequestError && e.reason === 'timeout', String(e));
      return true;
    });
    await bootNumber(board, 2);
    assert.ok(board.lines.some((l) => /<err> smp: power lost while writing flash at 0x[0-9a-f]+/.test(l)), board.lines.join('\n'));
    let list = readImageState(await smpRequest(board.udp, imageStateRequest())).images;
    const partial = list.find((i) => i.slot === 1);
    assert.ok(partial, 'the partial image has a header in slot 1');
    assert.deepEqual([partial.bootable, partial.pending, partial.confirmed, partial.hash], [false, false, false, undefined]);
    const test = await smpRequest(board.udp, imageStateWriteRequest({ hash: image.hash, confirm: false }));
    assert.notEqual(smpErrorOf(test.body), undefined, 'the partial image was accepted for test');

    const fresh = await upload(board.udp, image.bytes);
    assert.equal(fresh.last.match, true);
    list = readImageState(await smpRequest(board.udp, imageStateRequest())).images;
    assert.deepEqual([list[1]?.bootable, Buffer.from(list[1]?.hash ?? []).toString('hex')], [true, Buffer.from(image.hash).toString('hex')]);
  });

  it('the runtime resets the board on a PowerLoss from any service, keeping the board running', async () => {
    const lines: string[] = [];
    const cutter: BoardService = {
      name: 'cutter',
      onDatagram: (_ctx, bytes) => {
        if (bytes[0] === 0x21) throw new PowerLoss(0x1000, 3, 0.1);
        return false;
      },
    };
    assert.ok(isPowerLoss(new PowerLoss(0, 0, 0)));
    other = await new VirtualBoard({ drivers: defaultDrivers, services: [cutter, ...boardServices] }).start({ udp: '127.0.0.1:0', onConsoleLine: (t) => lines.push(t) });
    const { hostname, port } = new URL(other.endpoints.udp!);
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    try {
      sock.send(Buffer.from('!cut'), Number(port), hostname);
      await waitFor(() => other!.runtime.bootCount() === 2, 'the reset');
      assert.ok(lines.some((l) => /<err> cutter: onDatagram: power lost while writing flash at 0x1000 .*the board resets$/.test(l)), lines.join('\n'));
      assert.equal(lines.filter((l) => /^\*\*\* Booting hilrig virtual board/.test(l)).length, 2);
    } finally {
      sock.close();
    }
  });
});

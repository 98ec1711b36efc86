// The virtual board in-process on a socat pty pair, and the rig's side of its console through the
// real serial driver: type a command, await console lines (the board's own line callback, so a
// line is never lost to a port that was closed), see the raw bytes it sends, and hand the
// connection to the XMODEM sender. The image lands in the board's slot 1, read back in-process.
import { createHash } from 'node:crypto';
import { boardServices } from '../../../boards/virtual/services/index.js';
import { createXmodemService, type XmodemServiceOptions, xmodemService } from '../../../boards/virtual/services/xmodem.js';
import type { BoardService } from '../../../boards/virtual/service.js';
import { type RunningBoard, VirtualBoard } from '../../../boards/virtual/virtual-board.js';
import { boardUploadSlot, type UploadSlot } from '../../../boards/virtual/xmodem/upload-slot.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { createPtyPair } from '../../../drivers/serial/pty-pair.js';
import { serialDriver } from '../../../drivers/serial/serial-driver.js';
import { type Connection, type Driver, Ev, Manager } from '../../../rig/index.js';
import { waitFor, within } from '../../helpers/wait.js';

export const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed + (i >> 9)) & 0xff);
export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface BoardRigOptions {
  bugs?: readonly string[];
  /** the xmodem service's timing (a short start timeout) */
  xmodem?: XmodemServiceOptions;
  /** the rig's serial driver (a wrapper that corrupts bytes) */
  driver?: Driver;
}

export class BoardRig {
  /** every console line of the board, in order */
  readonly lines: string[] = [];
  /** every byte the rig read while no sender had the connection */
  readonly raw: number[] = [];
  /** the XMODEM sender has the connection: leave c.recv to it */
  sending = false;
  board!: RunningBoard;
  mgr!: Manager;
  conn!: Connection;

  get slot(): UploadSlot {
    return boardUploadSlot();
  }

  static async start(o: BoardRigOptions = {}): Promise<BoardRig> {
    const rig = new BoardRig();
    const services: readonly BoardService[] = o.xmodem ? boardServices.map((s) => (s === xmodemService ? createXmodemService(o.xmodem) : s)) : boardServices;
    rig.board = await new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair(), services }).start({
      udp: false,
      pty: true,
      bugs: o.bugs,
      onConsoleLine: (t) => rig.lines.push(t),
    });
    rig.mgr = new Manager({ drivers: { ...defaultDrivers, serial: o.driver ?? serialDriver } });
    rig.conn = rig.mgr.connect(rig.board.endpoints.serial!, (c, ev) => {
      if (ev === Ev.Recv && !rig.sending) {
        for (const b of c.recv.view()) rig.raw.push(b);
        c.recv.clear();
      }
    });
    await within(rig.conn.ready, 5000, 'the rig side of the pty');
    return rig;
  }

  /** Type a command line; resolves with the board's answer line matching `re` (searched from now on). */
  async command(text: string, re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
    const from = this.lines.length;
    this.conn.send(new TextEncoder().encode(`${text}\r`));
    return this.expectLine(re, from, ms);
  }

  /** The first console line from index `from` on that matches. */
  async expectLine(re: RegExp, from = 0, ms = 5000): Promise<RegExpMatchArray> {
    let m: RegExpMatchArray | null = null;
    await waitFor(() => this.lines.slice(from).some((l) => (m = l.match(re)) !== null), `a console line matching ${re}; lines so far:\n${this.lines.slice(from).join('\n')}`, ms);
    return m!;
  }

  /** Wait until the raw bytes from index `from` on hold `bytes` in a row; returns the index after them. */
  async expectBytes(bytes: readonly number[], from: number, ms = 5000): Promise<number> {
    const at = (): number => {
      for (let i = from; i + bytes.length <= this.raw.length; i++) if (bytes.every((b, k) => this.raw[i + k] === b)) return i + bytes.length;
      return -1;
    };
    await waitFor(() => at() >= 0, `bytes ${bytes.map((b) => `0x${b.toString(16)}`).join(' ')} from the board (got ${this.raw.slice(from).map((b) => b.toString(16)).join(' ')})`, ms);
    return at();
  }

  /** Wait until the raw bytes from index `from` on hold `text`; returns the index after it. */
  expectText(text: string, from = 0, ms = 5000): Promise<number> {
    return this.expectBytes([...new TextEncoder().encode(text)], from, ms);
  }

  /** Send bytes as they are. */
  write(bytes: Uint8Array): void {
    this.conn.send(bytes);
  }

  async close(): Promise<void> {
    await this.mgr?.shutdown();
    await this.board?.stop();
  }
}

/**
 * A serial driver whose writes pass through `edit` first: the in-test relay that flips a byte on
 * the wire (the sender writes one frame per write).
 */
export function editingDriver(inner: Driver, edit: (bytes: Uint8Array) => Uint8Array): Driver {
  return {
    datagram: inner.datagram,
    connect(url, sink, ctx) {
      const t = inner.connect(url, sink, ctx);
      return {
        write: (bytes) => t.write(edit(bytes)),
        close: () => t.close(),
        ...(t.pause ? { pause: () => t.pause?.() } : {}),
        ...(t.resume ? { resume: () => t.resume?.() } : {}),
        ...(t.line ? { line: t.line } : {}),
      };
    },
  };
}

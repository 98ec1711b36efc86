// The virtual board: a firmware written on hilrig's own engine, the way a Mongoose firmware is
// written. It owns a Manager with a UDP listener and/or a serial connection (the board side of
// a pty), and feeds what arrives to its runtime (board-runtime.ts), which routes it to services.
//
// The board runs on the host, but boards/ may not import drivers/: the transports and the pty
// maker come in as the board's "platform", the way a firmware is linked against its HAL.
import type { Clock } from '../../rig/engine/clock.js';
import type { Connection } from '../../rig/engine/connection.js';
import type { Driver } from '../../rig/engine/driver.js';
import { Ev } from '../../rig/engine/events.js';
import { Manager } from '../../rig/engine/manager.js';
import { BoardRuntime } from './board-runtime.js';
import { BugRegistry } from './bug-modes.js';
import { FlashSlots } from './flash/index.js';
import type { BoardService } from './service.js';
import { boardServices } from './services/index.js';
import { FIRMWARE_VERSION } from './version.js';

/** Two linked ptys (drivers/serial/pty-pair.ts makes them with socat). */
export interface PtyEnds {
  boardSide: string;
  rigSide: string;
  close(): Promise<void>;
}

export interface BoardPlatform {
  /** transports by URL scheme: at least `udp` and `serial` for the links asked for */
  drivers: Record<string, Driver>;
  /** makes a pty pair for `pty: true` */
  openPty?: () => Promise<PtyEnds>;
  /** the firmware's services (default: services/index.ts); tests add their own */
  services?: readonly BoardService[];
}

export interface BoardStartOptions {
  name?: string;
  /** HOST:PORT to listen on (port 0: any free port), or false for no UDP */
  udp?: string | false;
  /** the board side of a serial link that already exists */
  serialPath?: string;
  /** make a pty pair and take its board side */
  pty?: boolean;
  baud?: number;
  /** `--bug` names; an unknown one rejects with BAD_OPTION listing the valid names */
  bugs?: readonly string[];
  /**
   * Cut the power after this many more bytes are programmed into the board's flash (an SMP
   * upload): the board resets mid-write, the flash keeps what landed. Needs a service that
   * owns a flash (`flash: FlashSlots`, the SMP service).
   */
  powerCutAt?: number;
  clock?: Clock;
  /** every console line as text (the serial line gets the same, as bytes) */
  onConsoleLine?: (text: string) => void;
  /** a link died under the board (the pty vanished, the socket failed) */
  onLinkLost?: (reason: string) => void;
}

export interface RunningBoard {
  /** what the rig opens: `udp://127.0.0.1:5683`, `serial:///dev/pts/7` (the rig side of a pty) */
  endpoints: { udp?: string; serial?: string };
  runtime: BoardRuntime;
  /** close every link, stop socat; idempotent */
  stop(): Promise<void>;
}

const POLL_MS = 100;
/** a UDP peer silent this long loses its child connection (the board keeps no per-peer state) */
const PEER_IDLE_MS = 30_000;

export class VirtualBoard {
  readonly services: readonly BoardService[];
  readonly bugRegistry: BugRegistry;

  constructor(private readonly platform: BoardPlatform) {
    this.services = platform.services ?? boardServices;
    this.bugRegistry = new BugRegistry(this.services);
  }

  async start(opts: BoardStartOptions = {}): Promise<RunningBoard> {
    if (opts.pty && opts.serialPath) throw new TypeError('give pty or serialPath, not both');
    const bugs = this.bugRegistry.resolve(opts.bugs ?? []);
    if (opts.powerCutAt !== undefined) {
      const flash = flashOf(this.services);
      if (!flash) throw new TypeError('powerCutAt: no service of this board owns a flash');
      flash.flash.powerCutAt(opts.powerCutAt);
    }
    const mgr = new Manager({ drivers: this.platform.drivers, clock: opts.clock, pollMs: 0 });
    const links: string[] = [];
    let serial: Connection | undefined;
    let pty: PtyEnds | undefined;
    let stopping = false;
    let drained: (() => void) | undefined;
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopped ??= (async () => {
        stopping = true;
        await mgr.shutdown();
        await pty?.close();
      })());
    const lost = (reason: string): void => {
      if (!stopping) opts.onLinkLost?.(reason);
    };

    const runtime = new BoardRuntime({
      name: opts.name ?? 'hilrig-virtual',
      version: FIRMWARE_VERSION,
      services: this.services,
      bugs,
      clock: mgr.clock,
      links: () => links,
      outputs: {
        serial: opts.pty || opts.serialPath ? (bytes) => void serial?.send(bytes) : undefined,
        lines: opts.onConsoleLine,
      },
    });

    try {
      const endpoints: RunningBoard['endpoints'] = {};
      if (opts.udp !== false) {
        const l = mgr.listen(`udp://${opts.udp ?? '127.0.0.1:5683'}`, (c, ev, data) => {
          if (ev === Ev.Recv && c.isAccepted) {
            const bytes = c.recv.toBytes();
            c.recv.clear();
            runtime.datagram(c.peer, bytes, (b) => void c.send(b));
          } else if (ev === Ev.Poll && c.isAccepted && data.now - c.lastIoTime > PEER_IDLE_MS) {
            c.close('peer idle');
          } else if (ev === Ev.Close && c.isListener) {
            lost(`udp listener ${c.local || c.url}: ${data.reason}`);
          }
        }, { label: 'board udp' });
        await l.ready;
        endpoints.udp = l.local;
        links.push(`udp ${l.local}`);
      }
      if (opts.pty) {
        if (!this.platform.openPty) throw new TypeError('this platform cannot make ptys (no openPty)');
        pty = await this.platform.openPty();
        endpoints.serial = `serial://${pty.rigSide}`;
      }
      const serialPath = pty?.boardSide ?? opts.serialPath;
      if (serialPath) {
        serial = mgr.connect(`serial://${serialPath}?baud=${opts.baud ?? 115200}`, (c, ev, data) => {
          if (ev === Ev.Recv) runtime.serialInput(c.recv);
          else if (ev === Ev.Send && c.pendingSend === 0) drained?.();
          else if (ev === Ev.Close) lost(`serial ${serialPath}: ${data.reason}`);
        }, { label: 'board console' });
        await serial.ready;
        links.push(`console ${serialPath}`);
      }
      mgr.addTimer(POLL_MS, () => {
        mgr.poll();
        runtime.poll();
      }, { repeat: true });
      runtime.boot();
      // started means booted: the boot output has left on the serial line
      runtime.console.flush();
      if (serial?.pendingSend) await Promise.race([new Promise<void>((r) => (drained = r)), serial.closed]);
      return { endpoints, runtime, stop };
    } catch (e) {
      await stop();
      throw e;
    }
  }
}

/** The flash chip of the board: the one a service exposes as `flash` (the SMP service does). */
function flashOf(services: readonly BoardService[]): FlashSlots | undefined {
  for (const s of services) {
    const f: unknown = (s as { flash?: unknown }).flash;
    if (f instanceof FlashSlots) return f;
  }
  return undefined;
}

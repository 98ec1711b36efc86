// The board a run talks to, ready to use: from a rig file's board or a --target URL (a board
// that is already running somewhere), or the virtual board booted in this process. Each comes
// with the manager and clock the rig uses for it and a close() that puts everything away.
import type { Clock } from '../engine/clock.js';
import { ScaledClock } from '../engine/clock.js';
import { HilrigError } from '../engine/errors.js';
import { Manager } from '../index.js';
import type { BoardConfig } from '../config/schema.js';
import type { SerialEndpoint } from '../config/schema-transport.js';
import { defaultDrivers } from '../../drivers/index.js';
import { VirtualBoard } from '../../boards/virtual/virtual-board.js';
import type { BoardConsole } from './run-suites.js';
import type { BoardUnderTest } from './suite-api.js';

export interface PreparedBoard {
  board: BoardUnderTest & { bugs?: string[] };
  mgr: Manager;
  clock: Clock;
  boardConsole?: BoardConsole;
  /** the suites the rig file lists for the board */
  suites?: string[];
  /** the rig file's per-test timeout for the board */
  timeoutMs?: number;
  close(): Promise<void>;
}

/** The virtual board's clock runs this many times faster than real time unless --speed says otherwise. */
export const DEFAULT_VIRTUAL_SPEED = 50;

/** `coap://HOST:PORT` or `coap+serial:///dev/ttyX?baud=N` for the board's CoAP transport, if it has one. */
export function coapUrlOf(cfg: BoardConfig): string | undefined {
  const t = cfg.transports.coap;
  if (!t) return undefined;
  if ('udp' in t && t.udp) {
    const host = t.udp.host.includes(':') ? `[${t.udp.host}]` : t.udp.host;
    return `coap://${host}:${t.udp.port}`;
  }
  if ('slipmux' in t && t.slipmux) return `coap+serial://${serialPath(t.slipmux.serial)}?${serialQuery(t.slipmux.serial)}`;
  return undefined;
}

function serialPath(s: SerialEndpoint): string {
  if (s.path !== undefined) return s.path.startsWith('/') ? s.path : `/${s.path}`;
  const byId = s.match.byId;
  if (byId === undefined) {
    throw new HilrigError('NOT_SUPPORTED', 'a serial port matched by vid/pid/serial is not supported by `hilrig run` yet; give its path, or match.byId (see `hilrig ports`)');
  }
  return byId.startsWith('/') ? byId : `/dev/serial/by-id/${byId}`;
}

function serialQuery(s: SerialEndpoint): string {
  const q = new URLSearchParams({ baud: String(s.baud), dataBits: String(s.dataBits), parity: s.parity, stopBits: String(s.stopBits), flow: s.flowControl });
  return q.toString();
}

/** A board that runs on its own (hardware, a simulator): the rig only needs a manager on real time. */
export function configuredBoard(name: string, cfg: BoardConfig): PreparedBoard {
  const mgr = new Manager();
  const coapUrl = coapUrlOf(cfg);
  return {
    board: { name, ...(coapUrl ? { coapUrl } : {}) },
    mgr,
    clock: mgr.clock,
    ...(cfg.suites ? { suites: [...cfg.suites] } : {}),
    timeoutMs: cfg.timeouts.testMs,
    close: () => mgr.shutdown(),
  };
}

/**
 * Boot the virtual board in this process on UDP 127.0.0.1 (any free port), on a ScaledClock the
 * board and the rig share: the board's periods (Observe every 5 s, /separate after 1 s) and the
 * rig's CoAP timers (ACK_TIMEOUT, MAX_TRANSMIT_WAIT) keep their RFC values in clock time, and
 * a whole suite takes seconds. Rejects with BAD_OPTION for an unknown bug name.
 */
export async function virtualBoard(opts: { bugs: readonly string[]; speed: number }): Promise<PreparedBoard> {
  const clock = new ScaledClock(opts.speed);
  const listeners = new Set<(text: string) => void>();
  const running = await new VirtualBoard({ drivers: defaultDrivers }).start({
    udp: '127.0.0.1:0',
    bugs: opts.bugs,
    clock,
    onConsoleLine: (text) => {
      for (const l of listeners) l(text);
    },
  });
  const mgr = new Manager({ clock });
  const udp = running.endpoints.udp ?? '';
  return {
    board: { name: 'virtual', coapUrl: udp.replace(/^udp:/, 'coap:'), ...(opts.bugs.length > 0 ? { bugs: [...opts.bugs] } : {}) },
    mgr,
    clock,
    boardConsole: {
      onLine: (fn) => {
        listeners.add(fn);
        return () => void listeners.delete(fn);
      },
    },
    close: async () => {
      await mgr.shutdown();
      await running.stop();
    },
  };
}

// DTR/RTS/break and CTS/DSR/DCD over serialport's set()/get(), for board reset sequences.
// serialport's set() writes every flag on each call and fills the ones left out with its
// defaults (DTR and RTS on), so setting DTR alone would also raise RTS: this keeps the state
// of each line and always sends all of them, as pyserial's setDTR/setRTS behave.
import type { SerialPort } from 'serialport';
import type { Clock } from '../../rig/engine/clock.js';
import type { LineControl } from '../../rig/engine/driver.js';
import { HilrigError } from '../../rig/engine/errors.js';
import { lineError } from './serial-errors.js';

interface LineState {
  dtr: boolean;
  rts: boolean;
  brk: boolean;
}

export function serialLineControl(path: string, port: () => SerialPort | undefined, clock: Clock): LineControl {
  // Opening a tty raises DTR and RTS (termios HUPCL semantics); break is off.
  let state: LineState = { dtr: true, rts: true, brk: false };
  // One request at a time, in call order: a reset sequence depends on the order of edges.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(op: () => Promise<T>): Promise<T> => {
    const run = queue.then(op, op);
    queue = run.catch(() => undefined);
    return run;
  };

  const openPort = (what: string): SerialPort => {
    const p = port();
    if (!p?.isOpen) throw new HilrigError('IO_ERROR', `${path}: cannot ${what}: the port is not open (await c.ready first)`);
    return p;
  };

  const apply = (signals: Partial<LineState>, what: string): Promise<void> =>
    serially(async () => {
      const p = openPort(what);
      const next: LineState = {
        dtr: signals.dtr ?? state.dtr,
        rts: signals.rts ?? state.rts,
        brk: signals.brk ?? state.brk,
      };
      await new Promise<void>((resolve, reject) => {
        p.set(next, (err) => (err ? reject(lineError(path, what, err)) : resolve()));
      });
      state = next;
    });

  return {
    set(signals) {
      const names = Object.entries(signals)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${String(v)}`);
      return apply(signals, `set ${names.join(' ') || 'lines'}`);
    },

    get() {
      return serially(async () => {
        const p = openPort('read modem lines');
        return new Promise<{ cts: boolean; dsr: boolean; dcd: boolean }>((resolve, reject) => {
          p.get((err, status) => {
            if (err || !status) return reject(lineError(path, 'read modem lines', err ?? new Error('no status')));
            resolve({ cts: status.cts, dsr: status.dsr, dcd: status.dcd });
          });
        });
      });
    },

    async sendBreak(ms) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError(`sendBreak(ms): ms must be a finite number >= 0, got ${ms}`);
      await apply({ brk: true }, 'start a break');
      try {
        await new Promise<void>((resolve) => clock.schedule(ms, resolve));
      } finally {
        await apply({ brk: false }, 'end a break');
      }
    },
  };
}

// The board's mcumgr SMP server as a service, like Zephyr's smp_svr sample: OS echo, reset and
// MCUmgr parameters, image state, upload and erase, on the board's flash with MCUboot's slots.
// Two transports feed one server (smp/smp-server.ts):
// - the serial console framing (0x06 0x09 / 0x04 0x14 frame lines, base64, CRC16): frame lines at
//   the head of the serial input are claimed line by line; console text stays with the shell;
// - UDP: the board listens on one port for everything, so a datagram is claimed when its SMP
//   header fits (op 0-3, Data Length matching, a group this board serves); the rest goes on to
//   the services after this one.
// The flash chip belongs to the service instance and outlives reboots; the server, the upload
// in progress and the serial decoder belong to the boot. Every boot runs MCUboot first
// (FlashSlots.boot(): a pending image is swapped in, an untested one reverted). A power cut
// (NorFlash.powerCutAt, `hilrig sim --power-cut-at`) resets the board in the middle of a write.
import { SMP_SERIAL_DEFAULT_MAX_LINE, SmpSerialDecoder } from '../../../protocols/smp/smp-serial-decoder.js';
import { encodeSmpSerial } from '../../../protocols/smp/smp-serial-encoder.js';
import { type FlashSlots, isPowerLoss } from '../flash/index.js';
import { type BoardService, SERIAL_WAIT, type ServiceContext } from '../service.js';
import { type BoardFlashOptions, makeBoardFlash } from '../smp/board-flash.js';
import { isSmpDatagram } from '../smp/smp-commands.js';
import { SmpServer, type SmpServerOptions } from '../smp/smp-server.js';
import { smpBugModes } from './smp-bugs.js';

export interface SmpServiceOptions extends Partial<SmpServerOptions> {
  /** the chip's geometry, speed and factory image (default: the virtual profile, an nRF52840, 1.0.0) */
  flash?: BoardFlashOptions;
}

/** Zephyr smp_svr's serial/UDP buffers are smaller; 2048 lets an upload carry ~1.9 KiB per chunk. */
export const DEFAULT_SMP_OPTIONS: SmpServerOptions = { bufSize: 2048, bufCount: 4, flashTimeScale: 1, resetDelayMs: 250 };

/** An SMP service with its own flash chip. */
export interface SmpService extends BoardService {
  /** the board's flash (made on first use, kept across reboots) */
  readonly flash: FlashSlots;
}

interface SmpState {
  server: SmpServer;
  decoder: SmpSerialDecoder;
  /** dropping the rest of an overlong frame line */
  discarding: boolean;
}

const LF = 0x0a;

function checkOptions(o: SmpServiceOptions): SmpServerOptions {
  const opts = { ...DEFAULT_SMP_OPTIONS, ...o };
  const whole = (k: keyof SmpServerOptions, min: number, max: number): void => {
    const v = opts[k];
    if (!(Number.isInteger(v) && v >= min && v <= max)) throw new TypeError(`createSmpService: ${k} must be a whole number from ${min} to ${max}, got ${String(v)}`);
  };
  whole('bufSize', 64, 0xffff + 8);
  whole('bufCount', 1, 64);
  for (const k of ['flashTimeScale', 'resetDelayMs'] as const) {
    if (!(Number.isFinite(opts[k]) && opts[k] >= 0)) throw new TypeError(`createSmpService: ${k} must be a number >= 0, got ${String(opts[k])}`);
  }
  return { bufSize: opts.bufSize, bufCount: opts.bufCount, flashTimeScale: opts.flashTimeScale, resetDelayMs: opts.resetDelayMs };
}

/** The SMP service; each instance is one board's flash chip (tests make their own). */
export function createSmpService(options: SmpServiceOptions = {}): SmpService {
  const opts = checkOptions(options);
  let chip: FlashSlots | undefined;
  const flash = (): FlashSlots => (chip ??= makeBoardFlash(options.flash));
  const state = (ctx: ServiceContext): SmpState =>
    ctx.state(() => ({ server: new SmpServer(ctx, flash(), opts), decoder: new SmpSerialDecoder(), discarding: false }));

  return {
    name: 'smp',
    bugs: smpBugModes,
    get flash() {
      return flash();
    },
    onBoot(ctx) {
      // MCUboot runs before the application (on a real board its lines come before the banner)
      const report = flash().boot();
      for (const line of report.log) ctx.log(report.primaryBootable ? 'inf' : 'err', 'mcuboot', line);
      state(ctx);
      ctx.log('inf', 'smp', `SMP server on the console and UDP: buf_size ${opts.bufSize}, buf_count ${opts.bufCount}`);
    },
    onDatagram(ctx, bytes) {
      if (!isSmpDatagram(bytes)) return false;
      survivePowerLoss(ctx, () => state(ctx).server.input(bytes, (b) => ctx.reply(b)));
      return true;
    },
    onSerialBytes(ctx, view) {
      return serialLine(ctx, state(ctx), view);
    },
    onPoll(ctx) {
      survivePowerLoss(ctx, () => state(ctx).server.poll());
    },
  };
}

/** One SMP frame line at the head of the serial input (or 0 when the head is console text). */
function serialLine(ctx: ServiceContext, s: SmpState, view: Uint8Array): number {
  if (s.discarding) {
    const nl = view.indexOf(LF);
    if (nl < 0) return view.length;
    s.discarding = false;
    return nl + 1;
  }
  const b0 = view[0];
  if (b0 !== 0x06 && b0 !== 0x04) return 0;
  if (view.length < 2) return SERIAL_WAIT;
  if (!((b0 === 0x06 && view[1] === 0x09) || (b0 === 0x04 && view[1] === 0x14))) return 0;
  const nl = view.indexOf(LF);
  if (nl < 0) {
    if (view.length < SMP_SERIAL_DEFAULT_MAX_LINE) return SERIAL_WAIT;
    s.discarding = true;
    ctx.log('wrn', 'smp', `SMP frame line longer than ${SMP_SERIAL_DEFAULT_MAX_LINE} bytes dropped`);
    return view.length;
  }
  for (const item of s.decoder.push(view.subarray(0, nl + 1))) {
    if (item.kind === 'packet') {
      const message = item.message;
      if (!survivePowerLoss(ctx, () => s.server.input(message, (b) => ctx.writeSerial(encodeSmpSerial(b))))) break;
    } else if (item.kind === 'bad-crc' || item.kind === 'dropped') {
      ctx.log('wrn', 'smp', `SMP serial packet dropped: ${item.rule}`);
    }
  }
  return nl + 1;
}

/**
 * The flash lost power mid-write: the board resets (the runtime's guard does the same for any
 * service; here the bytes are claimed, so the rest of the frame or datagram is not passed on).
 * False when the power was lost.
 */
function survivePowerLoss(ctx: ServiceContext, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!isPowerLoss(e)) throw e;
    ctx.log('err', 'smp', `${e.message}: the board resets`);
    ctx.reboot();
    return false;
  }
}

/** The board's SMP service (`hilrig sim`): one flash chip for the process. */
export const smpService: SmpService = createSmpService();

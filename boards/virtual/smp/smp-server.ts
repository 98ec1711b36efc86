// The board's SMP server for one boot: one queue of requests from every transport (serial
// packets and datagrams share img_mgmt's state, as on Zephyr), handled one at a time.
//
// Flash time: a handler returns how long the flash was busy (erase, program); the answer leaves
// that long later on the board's clock (times `flashTimeScale`; 0 answers at once), and requests
// that arrive meanwhile wait, up to buf_count of them (more are dropped: no free buffer). The
// board's clock ticks in polls of 100 ms, so a delay is rounded up to the next poll.
// A reset asked over SMP happens `resetDelayMs` after its answer (Zephyr's
// CONFIG_MCUMGR_GRP_OS_RESET_MS), at a poll.
// A PowerLoss from the flash is not caught here: the service turns it into a reset.
import { encodeSmp } from '../../../protocols/smp/smp-header.js';
import type { FlashSlots } from '../flash/index.js';
import type { ServiceContext } from '../service.js';
import { handleSmp } from './smp-commands.js';
import type { SmpEnv, SmpParams, UploadSession } from './smp-env.js';

export interface SmpServerOptions extends SmpParams {
  /** multiplies the flash's busy time before an answer; 0: answer at once */
  flashTimeScale: number;
  /** from a reset's answer to the reset, ms */
  resetDelayMs: number;
}

type Reply = (bytes: Uint8Array) => void;

interface Waiting {
  bytes: Uint8Array;
  reply: Reply;
}

const LOG_MODULE = 'smp';

export class SmpServer {
  private readonly env: SmpEnv;
  private busyUntil = 0;
  private readonly waiting: Waiting[] = [];
  private held: { due: number; bytes: Uint8Array; reply: Reply } | undefined;
  private resetAt: number | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    flash: FlashSlots,
    private readonly opts: SmpServerOptions,
  ) {
    this.env = {
      flash,
      params: { bufSize: opts.bufSize, bufCount: opts.bufCount },
      upload: undefined,
      bug: (name) => ctx.bug(name),
      log: (level, message) => ctx.log(level, LOG_MODULE, message),
      requestReset: () => {
        this.resetAt = ctx.uptimeMs() + opts.resetDelayMs;
      },
    };
  }

  /** the upload in progress, for diagnostics */
  get upload(): Readonly<UploadSession> | undefined {
    return this.env.upload;
  }

  /** One whole SMP message from a transport; `reply` puts an SMP message back on it. */
  input(bytes: Uint8Array, reply: Reply): void {
    if (this.busy() || this.waiting.length > 0) {
      if (this.waiting.length >= this.opts.bufCount) {
        this.ctx.log('wrn', LOG_MODULE, `no free SMP buffer (buf_count ${this.opts.bufCount}): a ${bytes.length}-byte request dropped`);
        return;
      }
      this.waiting.push({ bytes: bytes.slice(), reply });
      return;
    }
    this.process(bytes, reply);
  }

  /** Every board poll: answers whose flash time has passed, then waiting requests, then a reset. */
  poll(): void {
    const now = this.ctx.uptimeMs();
    if (this.held && now >= this.held.due) {
      const { bytes, reply } = this.held;
      this.held = undefined;
      reply(bytes);
    }
    while (!this.busy() && this.waiting.length > 0) {
      const w = this.waiting.shift()!;
      this.process(w.bytes, w.reply);
    }
    if (this.resetAt !== undefined && now >= this.resetAt && !this.held) {
      this.resetAt = undefined;
      this.ctx.reboot();
    }
  }

  private busy(): boolean {
    return this.held !== undefined || this.ctx.uptimeMs() < this.busyUntil;
  }

  private process(bytes: Uint8Array, reply: Reply): void {
    const { response, flashMs } = handleSmp(this.env, bytes);
    if (!response) return;
    const out = encodeSmp(response);
    const delay = flashMs * this.opts.flashTimeScale;
    if (delay <= 0) {
      reply(out);
      return;
    }
    this.busyUntil = this.ctx.uptimeMs() + delay;
    this.held = { due: this.busyUntil, bytes: out, reply };
  }
}

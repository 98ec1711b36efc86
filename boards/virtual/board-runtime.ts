// The virtual board's firmware proper, without its links: boot and reboot, crash, one context
// per service, and the routing of serial input and datagrams to services. virtual-board.ts
// owns the Manager and the connections and feeds this runtime; nothing here does I/O.
import type { Clock } from '../../rig/engine/clock.js';
import type { IoBuf } from '../../rig/engine/iobuf.js';
import { BoardConsole, type ConsoleOutputs } from './board-console.js';
import { isPowerLoss } from './flash/flash-errors.js';
import { type BoardService, type BugMode, type DatagramContext, SERIAL_WAIT, type ServiceContext, type ShellCommand } from './service.js';
import { type ShellHost, ShellRunner } from './shell-runner.js';

export interface RuntimeOptions {
  name: string;
  version: string;
  services: readonly BoardService[];
  /** the enabled bug modes (already resolved against the registry) */
  bugs: readonly BugMode[];
  clock: Clock;
  outputs: ConsoleOutputs;
  /** the board's links for the boot log: 'udp udp://127.0.0.1:5683', 'serial /dev/pts/3' */
  links: () => string[];
}

const CR = 0x0d;
const LF = 0x0a;

export class BoardRuntime implements ShellHost {
  readonly console: BoardConsole;
  private readonly shell: ShellRunner;
  private readonly contexts = new Map<BoardService, ServiceContext>();
  private readonly owners = new Map<ShellCommand, BoardService>();
  private readonly table: ShellCommand[] = [];
  /** per-service state of the current boot, by service name */
  private states = new Map<string, unknown>();
  private bootAt = 0;
  private boots = 0;
  private crashed: string | undefined;

  constructor(private readonly opts: RuntimeOptions) {
    this.console = new BoardConsole(opts.outputs, () => this.uptimeMs(), () => !this.isCrashed());
    this.shell = new ShellRunner(this);
    for (const s of opts.services) {
      this.contexts.set(s, this.makeContext(s));
      for (const cmd of s.commands ?? []) {
        if (this.table.some((c) => c.name === cmd.name)) throw new TypeError(`shell command "${cmd.name}" of ${s.name} is already defined`);
        this.table.push(cmd);
        this.owners.set(cmd, s);
      }
    }
  }

  uptimeMs(): number {
    return this.opts.clock.now() - this.bootAt;
  }

  /** Power on (or reset): fresh state, the banner, every service's onBoot, the prompt. */
  boot(): void {
    this.bootAt = this.opts.clock.now();
    this.boots++;
    this.states = new Map();
    this.crashed = undefined;
    this.shell.reset();
    const out = this.console;
    out.line(`*** Booting hilrig virtual board v${this.opts.version} ***`);
    out.log('inf', 'board', `${this.opts.name}: firmware ${this.opts.version}, boot ${this.boots}`);
    for (const link of this.opts.links()) out.log('inf', 'board', `link ${link}`);
    out.log('inf', 'board', `services: ${this.opts.services.map((s) => s.name).join(', ')}`);
    for (const b of this.opts.bugs) out.log('wrn', 'board', `bug mode ${b.name} is on: breaks ${b.rule}`);
    for (const s of this.opts.services) this.guard(s, 'onBoot', () => s.onBoot?.(this.ctx(s)));
    out.prompt();
  }

  reboot(): void {
    this.boot();
  }

  crash(reason: string): void {
    if (this.crashed !== undefined) return;
    this.console.log('err', 'os', `***** Kernel Panic! ***** ${reason}`);
    this.console.log('err', 'os', 'Halting system (send `reboot` to reset)');
    this.crashed = reason;
  }

  isCrashed(): boolean {
    return this.crashed !== undefined;
  }

  bootCount(): number {
    return this.boots;
  }

  commands(): readonly ShellCommand[] {
    return this.table;
  }

  contextOf(cmd: ShellCommand): ServiceContext {
    const owner = this.owners.get(cmd);
    if (!owner) throw new TypeError(`shell command ${cmd.name} has no service`);
    return this.ctx(owner);
  }

  /**
   * Serial input: offer the head of the buffer to each service; what nobody claims goes to the
   * shell up to the next line end, and the services are asked again after it.
   */
  serialInput(recv: IoBuf): void {
    while (recv.length > 0) {
      const view = recv.view();
      let claimed = 0;
      for (const s of this.isCrashed() ? [] : this.opts.services) {
        if (!s.onSerialBytes) continue;
        const n = this.guard(s, 'onSerialBytes', () => s.onSerialBytes?.(this.ctx(s), view)) ?? 0;
        if (n === SERIAL_WAIT) return;
        if (n > 0) {
          claimed = Math.min(n, view.length);
          break;
        }
      }
      if (claimed > 0) {
        recv.consume(claimed);
        continue;
      }
      let end = view.findIndex((b) => b === CR || b === LF);
      end = end < 0 ? view.length : end + 1;
      const text = view.slice(0, end);
      recv.consume(end);
      this.shell.feed(text);
    }
  }

  /** A datagram for the first service that claims it; a crashed board answers nothing. */
  datagram(peer: string, bytes: Uint8Array, reply: (b: Uint8Array) => void): void {
    if (this.isCrashed()) return;
    for (const s of this.opts.services) {
      if (!s.onDatagram) continue;
      const dctx: DatagramContext = { ...this.ctx(s), peer, reply };
      if (this.guard(s, 'onDatagram', () => s.onDatagram?.(dctx, bytes))) return;
    }
    this.console.log('wrn', 'net', `no service for a ${bytes.length}-byte datagram from ${peer}; dropped`);
  }

  poll(): void {
    if (this.isCrashed()) return;
    for (const s of this.opts.services) if (s.onPoll) this.guard(s, 'onPoll', () => s.onPoll?.(this.ctx(s)));
  }

  private ctx(s: BoardService): ServiceContext {
    const c = this.contexts.get(s);
    if (!c) throw new TypeError(`service ${s.name} is not on this board`);
    return c;
  }

  /**
   * A service that throws is a firmware fault: log it like an assert and carry on. A power loss
   * from the flash is no fault but a reset: the board boots again (and MCUboot with it, in the
   * service that owns the flash), keeping what the flash holds.
   */
  private guard<T>(s: BoardService, hook: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (isPowerLoss(e)) {
        this.console.log('err', s.name, `${hook}: ${e.message}; the board resets`);
        this.reboot();
        return undefined;
      }
      this.console.log('err', s.name, `${hook} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private makeContext(s: BoardService): ServiceContext {
    const declared = new Set((s.bugs ?? []).map((b) => b.name));
    const enabled = new Set(this.opts.bugs.map((b) => b.name));
    return {
      board: this.opts.name,
      version: this.opts.version,
      uptimeMs: () => this.uptimeMs(),
      print: (text) => this.console.line(text),
      log: (level, module, message) => this.console.log(level, module, message),
      writeSerial: (bytes) => this.console.bytes(bytes),
      bug: (name) => {
        if (!declared.has(name)) throw new TypeError(`service ${s.name} asked for bug mode "${name}", which it does not declare`);
        return enabled.has(name);
      },
      state: <S>(init: () => S): S => {
        if (!this.states.has(s.name)) this.states.set(s.name, init());
        return this.states.get(s.name) as S;
      },
      reboot: () => this.reboot(),
      crash: (reason) => this.crash(reason),
      commands: () => this.table,
    };
  }
}

// The board's shell: assembles console input into command lines the way a UART shell does
// ("\r", "\n" or "\r\n" is Enter; backspace edits), echoes each line after the prompt, runs the
// command from the board's command table and prints the next prompt. While the board is
// crashed only `reboot` is heard: on a pty it stands in for the reset button.
import type { BoardConsole } from './board-console.js';
import type { ServiceContext, ShellCommand } from './service.js';

/** Zephyr's default shell line buffer; longer input is dropped past it. */
const MAX_COMMAND = 256;
const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const DEL = 0x7f;
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface ShellHost {
  console: BoardConsole;
  commands(): readonly ShellCommand[];
  /** the context commands run with (the one of the service that owns the command) */
  contextOf(cmd: ShellCommand): ServiceContext;
  isCrashed(): boolean;
  reboot(): void;
  /** counts boots, so the shell knows a command rebooted (the boot printed its own prompt) */
  bootCount(): number;
}

export class ShellRunner {
  private line: number[] = [];
  private lastWasCr = false;

  constructor(private readonly host: ShellHost) {}

  /** Console text from the serial line, any chunking. */
  feed(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === CR || (b === LF && !this.lastWasCr)) {
        this.enter();
      } else if (b === BS || b === DEL) {
        this.line.pop();
      } else if (b !== LF && this.line.length < MAX_COMMAND) {
        this.line.push(b);
      }
      this.lastWasCr = b === CR;
    }
  }

  /** Forget a half-typed line (reboot). lastWasCr stays: the "\n" of a "reboot\r\n" is still to come. */
  reset(): void {
    this.line = [];
  }

  private enter(): void {
    const text = decoder.decode(new Uint8Array(this.line)).trim();
    this.line = [];
    this.run(text);
  }

  /** Run one command line as if typed. */
  run(text: string): void {
    const { console: out } = this.host;
    const [name = '', ...args] = text.split(/\s+/).filter((w) => w !== '');
    if (this.host.isCrashed()) {
      if (name === 'reboot') this.host.reboot();
      return;
    }
    out.echo(text);
    if (name === '') return out.prompt();
    const cmd = this.host.commands().find((c) => c.name === name);
    if (!cmd) {
      out.line(`${name}: command not found`);
      return out.prompt();
    }
    const rest = text.slice(text.indexOf(name) + name.length).trimStart();
    const boot = this.host.bootCount();
    try {
      cmd.run(this.host.contextOf(cmd), args, rest);
    } catch (e) {
      out.line(`${name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    // a reboot printed its own banner and prompt; a crashed board prints nothing more
    if (this.host.bootCount() === boot && !this.host.isCrashed()) out.prompt();
  }
}

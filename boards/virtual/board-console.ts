// The firmware's console output, formatted like Zephyr's: log lines stamped with the uptime
// (`[00:00:01.234,000] <inf> board: ...`), "\r\n" line ends and a `uart:~$ ` prompt without one.
// Everything written in one turn of the event loop leaves in one write, so `log 10000` is a
// burst on the line, as on a real UART, and not ten thousand small writes. Output that comes
// while the prompt waits for input (a service's log) ends the prompt's line first and prints a
// fresh prompt after it, as Zephyr's shell does, so no line starts in the middle of a prompt.
import type { LogLevel } from './service.js';

export const PROMPT = 'uart:~$ ';

export interface ConsoleOutputs {
  /** bytes for the serial line (absent: no serial line) */
  serial?(bytes: Uint8Array): void;
  /** each whole console line as text, for `hilrig sim`'s stdout (the prompt is not a line) */
  lines?(text: string): void;
}

/** `00:00:01.234,567` from milliseconds. */
export function uptimeStamp(ms: number): string {
  const us = Math.max(0, Math.round(ms * 1000));
  const s = Math.floor(us / 1e6);
  const two = (n: number): string => String(n).padStart(2, '0');
  const frac = us % 1e6;
  const milli = String(Math.floor(frac / 1000)).padStart(3, '0');
  const micro = String(frac % 1000).padStart(3, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${milli},${micro}`;
}

const encoder = new TextEncoder();

export class BoardConsole {
  private pending: string[] = [];
  private flushQueued = false;
  /** the prompt is the last thing on the line, waiting for input */
  private promptShowing = false;
  /** a line cut into a waiting prompt: print the prompt again after this burst */
  private reprompt = false;

  constructor(
    private readonly out: ConsoleOutputs,
    private readonly uptimeMs: () => number,
    /** false while the board is crashed: no prompt comes back */
    private readonly promptAllowed: () => boolean = () => true,
  ) {}

  line(text: string): void {
    if (this.promptShowing) {
      this.raw('\r\n');
      this.promptShowing = false;
      this.reprompt = true;
    }
    this.raw(`${text}\r\n`);
    this.out.lines?.(text);
  }

  log(level: LogLevel, module: string, message: string): void {
    this.line(`[${uptimeStamp(this.uptimeMs())}] <${level}> ${module}: ${message}`);
  }

  prompt(): void {
    this.raw(PROMPT);
    this.promptShowing = true;
    this.reprompt = false;
  }

  /** The shell's echo of a command line: after the prompt on the wire, one line for the log. */
  echo(commandLine: string): void {
    this.promptShowing = false;
    this.reprompt = false;
    this.raw(`${commandLine}\r\n`);
    this.out.lines?.(`${PROMPT}${commandLine}`);
  }

  /** Text on the serial line only (not a console line of its own). */
  raw(text: string): void {
    if (!this.out.serial) return;
    this.pending.push(text);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  /** Bytes on the serial line, in order with the text around them. */
  bytes(b: Uint8Array): void {
    this.flush();
    this.out.serial?.(b);
  }

  flush(): void {
    this.flushQueued = false;
    if (this.reprompt && this.promptAllowed()) this.prompt();
    this.reprompt = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.out.serial?.(encoder.encode(text));
  }
}

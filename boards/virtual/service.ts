// The contract of a virtual-board service: one file in services/ that the board routes traffic
// to. A protocol is added to the firmware by writing one BoardService and listing it in
// services/index.ts; the board core never changes.
//
// Routing, in the order of services/index.ts:
// - serial input: each service may claim framed bytes at the head of the stream (SLIP 0xC0
//   frames, SMP 0x06 0x09 lines, an XMODEM transfer while one runs); what nobody claims is
//   console text for the shell. Services are asked again after every claim and every line end.
// - UDP: each datagram goes to the first service whose onDatagram returns true.
// - shell: the commands of every service form the shell's command table.

/** A deliberate deviation a service can be told to make, so the rig's verdicts can be tested. */
export interface BugMode {
  /** kebab-case, unique on the board: `--bug echo-truncated` */
  name: string;
  /** the rule it breaks, as a conformance report would cite it */
  rule: string;
  /** the declaring service's name */
  service: string;
}

/** onSerialBytes: "mine, but the frame is not complete yet: keep the bytes and ask me again". */
export const SERIAL_WAIT = -1;

export type LogLevel = 'err' | 'wrn' | 'inf' | 'dbg';

/** What a service sees of the board. One context per service, for the board's whole life. */
export interface ServiceContext {
  /** the board's name (`--name`) */
  readonly board: string;
  /** the firmware version */
  readonly version: string;
  /** ms since the last boot, on the board's clock */
  uptimeMs(): number;
  /** a console line on the serial line (and the board's log sink) */
  print(text: string): void;
  /** a Zephyr-style log line: `[00:00:01.234,000] <inf> module: message` */
  log(level: LogLevel, module: string, message: string): void;
  /** raw bytes on the serial line, for framed protocols; dropped when there is no serial line */
  writeSerial(bytes: Uint8Array): void;
  /** is this bug mode on; throws if this service did not declare it (catches typos) */
  bug(name: string): boolean;
  /** this service's state for the current boot: `init` runs on first use after each boot */
  state<S>(init: () => S): S;
  /** reset the board: state cleared, uptime from 0, banner printed again */
  reboot(): void;
  /** stop answering (console and network) until the next reboot, like a kernel panic */
  crash(reason: string): void;
  /** the whole shell command table, for `help` */
  commands(): readonly ShellCommand[];
}

/** The context of one datagram: who sent it and how to answer. */
export interface DatagramContext extends ServiceContext {
  /** 'udp://127.0.0.1:40000' */
  readonly peer: string;
  reply(bytes: Uint8Array): void;
}

export interface ShellCommand {
  /** the first word of the command line */
  name: string;
  /** the arguments, for help: 'TEXT', '[N]' */
  args?: string;
  summary: string;
  /**
   * `args` are the words after the name, `rest` the raw text after it (for `echo`). Output goes
   * through ctx.print; the prompt is printed by the shell afterwards.
   */
  run(ctx: ServiceContext, args: string[], rest: string): void;
}

export interface BoardService {
  /** kebab-case, unique on the board; also the log module name */
  name: string;
  bugs?: readonly BugMode[];
  /** runs at every boot (start and reboot), after the banner */
  onBoot?(ctx: ServiceContext): void;
  /** claim a datagram: true when this service handled it */
  onDatagram?(ctx: DatagramContext, bytes: Uint8Array): boolean;
  /**
   * Look at the head of the serial input (`view` is valid only during the call: copy what you
   * keep). Return how many bytes you consumed, 0 if they are not yours, SERIAL_WAIT to hold them.
   */
  onSerialBytes?(ctx: ServiceContext, view: Uint8Array): number;
  commands?: readonly ShellCommand[];
  /** every poll period of the board's manager (100 ms): deadlines, retransmissions, a held frame's timeout */
  onPoll?(ctx: ServiceContext): void;
}

// The shell's built-in commands, Zephyr-flavoured: what a test needs to drive a board's console
// (help, version, uptime, echo), to reset it (reboot), to load the capture path (log N) and to
// see a board die (crash).
import type { BoardService, ShellCommand } from '../service.js';

/** `log N` bound: enough to load a capture, small enough not to exhaust memory by a typo. */
const MAX_LOG_LINES = 1_000_000;

const help: ShellCommand = {
  name: 'help',
  summary: 'list the commands',
  run(ctx) {
    const cmds = ctx.commands();
    const label = (c: ShellCommand): string => (c.args ? `${c.name} ${c.args}` : c.name);
    const width = Math.max(...cmds.map((c) => label(c).length));
    ctx.print('Available commands:');
    for (const c of cmds) ctx.print(`  ${label(c).padEnd(width)}  ${c.summary}`);
  },
};

const version: ShellCommand = {
  name: 'version',
  summary: 'print the firmware version',
  run(ctx) {
    ctx.print(`hilrig virtual board v${ctx.version} (${ctx.board})`);
  },
};

const uptime: ShellCommand = {
  name: 'uptime',
  summary: 'milliseconds since boot',
  run(ctx) {
    ctx.print(`Uptime: ${Math.floor(ctx.uptimeMs())} ms`);
  },
};

const reboot: ShellCommand = {
  name: 'reboot',
  summary: 'reset the board (prints the boot banner again)',
  run(ctx) {
    ctx.reboot();
  },
};

const echo: ShellCommand = {
  name: 'echo',
  args: 'TEXT',
  summary: 'print TEXT',
  run(ctx, _args, rest) {
    ctx.print(rest);
  },
};

const log: ShellCommand = {
  name: 'log',
  args: 'N',
  summary: 'print N numbered log lines at once (console capture load)',
  run(ctx, args) {
    const n = /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : NaN;
    if (!(n >= 1 && n <= MAX_LOG_LINES) || args.length !== 1) {
      ctx.print(`log: expected a line count from 1 to ${MAX_LOG_LINES}, e.g. log 1000`);
      return;
    }
    for (let i = 1; i <= n; i++) ctx.log('inf', 'log_test', `line ${i} of ${n}`);
  },
};

const crash: ShellCommand = {
  name: 'crash',
  summary: 'kernel panic: the board stops answering until `reboot`',
  run(ctx) {
    ctx.crash('crash command');
  },
};

export const shellService: BoardService = {
  name: 'shell',
  commands: [help, version, uptime, reboot, echo, log, crash],
};

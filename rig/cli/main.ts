#!/usr/bin/env node
// The `hilrig` command. Each sub-command lives in commands/<name>.ts and is imported only when
// it runs, so `hilrig coap get` does not pay for loading the serial bindings or the report code.
import { Exit } from './exit-codes.js';

interface CommandModule {
  run(argv: string[]): Promise<number>;
  help: string;
}

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  run: { summary: 'run conformance suites against a board (rig file or --target URL)', load: () => import('./commands/run.js') },
  report: { summary: 'the HTML report of a run folder (results.json), or of several boards merged', load: () => import('./commands/report.js') },
  coap: { summary: 'a CoAP client: get, put, post, delete, observe, discover, ping (UDP or slipmux)', load: () => import('./commands/coap.js') },
  sim: { summary: 'run the built-in virtual board (UDP and a serial pty)', load: () => import('./commands/sim.js') },
  console: { summary: "attach to a board's console: timestamped lines to the terminal and JSONL", load: () => import('./commands/console.js') },
  trace: { summary: 'device traces for Wireshark: convert a JSONL byte trace to pcapng', load: () => import('./commands/trace.js') },
  relay: { summary: 'a UDP relay on loopback that delays, drops, duplicates and reorders datagrams', load: () => import('./commands/relay.js') },
  upload: { summary: 'send a firmware image to a board: SMP (serial, UDP), XMODEM/YMODEM, CoAP block-wise', load: () => import('./commands/upload.js') },
  image: { summary: 'MCUboot images: info on a file; list, test, confirm, erase, reset on a board (SMP)', load: () => import('./commands/image.js') },
  ports: { summary: 'list serial ports (path, by-id, USB VID:PID, serial number)', load: () => import('./commands/ports.js') },
};

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `hilrig: hardware-in-the-loop test rig controller

Usage: hilrig <command> [options]        hilrig <command> --help for its options

Commands:
${lines.join('\n')}

Examples:
  hilrig sim --pty                        start the virtual board, print its endpoints
  hilrig console serial:///dev/ttyACM0?baud=115200 --jsonl console.jsonl
  hilrig run --target udp://127.0.0.1:5683
  hilrig run --rig rig.yaml --board nucleo-l4

Exit codes: 0 all passed, 1 a test failed, 2 usage or config error, 3 rig or link error.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name === undefined ? Exit.USAGE : Exit.OK;
  }
  if (name === '--version' || name === '-V') {
    const { createRequire } = await import('node:module');
    // three levels up from dist/rig/cli/ (tsc) and from dist/cli/bin/ (the bundle) alike
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return Exit.OK;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`hilrig: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}. See hilrig --help.\n`);
    return Exit.USAGE;
  }
  const mod = await cmd.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hilrig: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = Exit.RIG_ERROR;
  },
);

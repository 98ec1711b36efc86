// `hilrig trace`: device traces for Wireshark. A host cannot sniff a UART, and sniffing UDP takes
// root, so hilrig records what its own engine sends and receives: `hilrig console --pcap` while
// attached, a JSONL byte trace from any run, and `hilrig trace convert` turning that JSONL into
// pcapng.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { convertJsonlToPcapng, TraceLineError } from '../../../reports/trace/jsonl-to-pcapng.js';
import { describeError } from '../../engine/index.js';
import { Exit } from '../exit-codes.js';
import { usage, usageError } from '../cli-support.js';

export const help = `usage: hilrig trace convert FILE.jsonl [--pcap OUT.pcapng]

Turn a JSONL byte trace (one line per open/data/close record of every connection, written
by hilrig's TraceJsonlWriter) into a pcapng file that Wireshark and tshark open.

To record a console port's bytes directly as pcapng while attached, use
  hilrig console URL --pcap FILE

options:
  --pcap FILE    the pcapng file to write, created or replaced
                 (default: FILE.jsonl with the extension .pcapng)
  -h, --help     show this help

What the pcapng holds: one interface per connection, named after its label and transport
(Statistics > Capture File Properties lists them), one packet per datagram or chunk, the
direction in the packet flags (frame.packet_flags_direction), nanosecond timestamps.
  UDP      each datagram inside a synthetic IPv4/IPv6 + UDP header with the real addresses
           and ports (link type RAW). CoAP on port 5683 is decoded as CoAP as is; on another
           port use Decode As, or: tshark -r FILE -d udp.port==PORT,coap
  serial   the raw bytes as they crossed, one packet per chunk read or written (link type
  tcp      USER0; the interface description says which port and baud rate). Chunks holding
           slipmux or SMP frames carry a packet comment naming them: display filter
           frame.comment contains "slipmux" (or "smp frame"). Wireshark shows these packets
           as data and warns "User encapsulation not handled: DLT=147"; that is expected
           (Preferences > Protocols > DLT_USER maps DLT 147 to a dissector if you have one).
A run that was killed leaves the JSONL cut off in its last line: that line is skipped.

examples:
  hilrig trace convert results/trace.jsonl --pcap results/trace.pcapng
  tshark -r results/trace.pcapng -Y coap -T fields -e frame.time_relative -e coap.type -e coap.mid
  hilrig console serial:///dev/ttyACM0?baud=115200 --pcap console.pcapng

exit codes: 0 converted, 2 bad options, a file that cannot be read or written, or a line
that is not a trace record (its line number is printed; the pcapng holds what came before).
`;

export async function run(argv: string[]): Promise<number> {
  let values: { pcap?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { pcap: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    return usage('trace', usageError(e));
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const [sub, ...rest] = positionals;
  if (sub === undefined) return usage('trace', 'a sub-command is missing: hilrig trace convert FILE.jsonl --pcap OUT.pcapng');
  if (sub !== 'convert') return usage('trace', `unknown sub-command "${sub}"; the one there is: convert`);
  if (rest.length !== 1) return usage('trace', rest.length === 0 ? 'convert needs the JSONL trace to read' : `convert reads one file, got ${rest.join(' ')}`);
  const input = rest[0]!;
  const output = values.pcap ?? defaultOutput(input);
  if (path.resolve(output) === path.resolve(input)) return usage('trace', `--pcap ${output} is the input file; name another`);

  try {
    const r = await convertJsonlToPcapng(input, output);
    if (r.skippedCutOffLine) process.stderr.write(`hilrig trace: ${input}: skipped the last line, cut off (the run that wrote it was stopped mid-write)\n`);
    process.stdout.write(`${output}: ${count(r.packets, 'packet')} on ${count(r.interfaces, 'interface')}, from ${count(r.records, 'record')}\n`);
    return Exit.OK;
  } catch (e) {
    if (e instanceof TraceLineError) {
      process.stderr.write(`hilrig trace: ${e.message}\n${output} holds the records before line ${e.line}\n`);
      return Exit.USAGE;
    }
    process.stderr.write(`hilrig trace: ${describeError(e)}\n`);
    return Exit.USAGE;
  }
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function defaultOutput(input: string): string {
  const ext = path.extname(input);
  return `${ext === '' ? input : input.slice(0, -ext.length)}.pcapng`;
}

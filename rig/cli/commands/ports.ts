import { parseArgs } from 'node:util';
import { listPorts } from '../../../drivers/ports/list-ports.js';
import type { PortInfo } from '../../../drivers/ports/port-info.js';
import { Exit } from '../exit-codes.js';
import { usage, usageError } from '../cli-support.js';

export const help = `usage: hilrig ports [--json]

List the serial ports a board could be attached to.

options:
  --json      print the ports as a JSON array instead of a table
  -h, --help  show this help
`;

const NO_PORTS_HINT =
  'a board on USB shows up as /dev/ttyACM* or /dev/ttyUSB*; check `dmesg` and that you are in the dialout group';

export async function run(argv: string[]): Promise<number> {
  let values: { json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usage('ports', usageError(e));
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }

  const { ports, warnings } = await listPorts(process.env['PATH']);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(ports, null, 2)}\n`);
  } else if (ports.length === 0) {
    process.stdout.write(`no serial ports found\nhint: ${NO_PORTS_HINT}\n`);
  } else {
    process.stdout.write(formatTable(ports));
  }
  return Exit.OK;
}


function formatTable(ports: PortInfo[]): string {
  const header = ['PATH', 'BY-ID', 'VID:PID', 'SERIAL', 'MANUFACTURER'];
  const rows = ports.map((p) => [
    p.path,
    p.byIdPath ?? '-',
    p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '-',
    p.serialNumber ?? '-',
    p.manufacturer ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
  return [header, ...rows].map(line).join('');
}

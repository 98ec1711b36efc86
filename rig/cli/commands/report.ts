// `hilrig report`: the HTML report of a run folder (results.json, with links to the traces beside
// it), or one report of several boards' runs.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { usage, usageError } from '../cli-support.js';
import { Exit } from '../exit-codes.js';

export const help = `hilrig report: the HTML report of a run

Usage:
  hilrig report DIR [--out OUTDIR] [--title TEXT]
  hilrig report --merge DIR DIR... --out OUTDIR [--title TEXT]

Reads DIR/results.json (what hilrig run leaves in its --out folder) and writes report.html: one
file that opens from disk in any browser, with no network. Failed and errored tests come first;
a test opens to its checks and spec references, why it failed, its exchange as a sequence chart,
its notes and the board's console while it ran. The report links to the run's trace.pcapng,
junit.xml and results.json, relative to where it is written.

Options:
  --merge        one report of several run folders (several boards, or runs to compare): the
                 board becomes a column and a filter; needs --out
  --out OUTDIR   the folder report.html goes to (created if missing; default: DIR itself)
  --title TEXT   the page's title (default: "<board>: hilrig report")
  -h, --help     this text

Exit codes: 0 report written; 2 bad options, a missing or invalid results.json (the file and
the field are named), or report.html cannot be written.

Examples:
  hilrig report results/latest
  hilrig report --merge results/nucleo results/esp32 --out results/nightly
  xdg-open results/latest/report.html
`;

export async function run(argv: string[]): Promise<number> {
  let values: { merge?: boolean; out?: string; title?: string; help?: boolean };
  let dirs: string[];
  try {
    ({ values, positionals: dirs } = parseArgs({
      args: argv,
      options: {
        merge: { type: 'boolean' },
        out: { type: 'string' },
        title: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    return usage('report', usageError(e));
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  if (dirs.length === 0) return usage('report', values.merge ? '--merge needs the run folders to merge' : 'name the run folder: hilrig report DIR');
  if (values.merge && values.out === undefined) return usage('report', '--merge needs --out OUTDIR, the folder the merged report.html goes to');
  if (!values.merge && dirs.length > 1) return usage('report', `one run folder at a time, got ${dirs.length} (${dirs.join(' ')}); to put them in one report: --merge ... --out OUTDIR`);
  if (values.out === '') return usage('report', '--out expects a folder');

  const { writeMergedReport } = await import('../../../reports/html/report-files.js');
  const { ReportError } = await import('../../../reports/html/report-errors.js');
  const outDir = path.resolve(values.out ?? dirs[0]!);
  try {
    const file = writeMergedReport(
      dirs.map((d) => path.resolve(d)),
      outDir,
      values.title !== undefined ? { title: values.title } : {},
    );
    const shown = path.relative(process.cwd(), file) || file;
    process.stdout.write(`${shown}\n  ${pathToFileURL(file).href}\n`);
    return Exit.OK;
  } catch (e) {
    if (e instanceof ReportError) {
      process.stderr.write(`hilrig report: ${e.message}\n`);
      return Exit.USAGE;
    }
    throw e;
  }
}

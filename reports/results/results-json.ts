// results.json: the run's result model, rewritten whole after every test. Each write goes to a
// temporary file beside it and is renamed over the old one (rename is atomic on one file
// system), so a reader, or a run killed with SIGKILL, only ever sees a complete file: the one
// written after the last finished test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from './result-model.js';

export class ResultsJsonWriter {
  /** the first write error; later writes are not tried (a full disk must not stop the run) */
  error: Error | undefined;
  private readonly tmp: string;

  constructor(readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
  }

  /** Replace the file with `run`; returns false (and keeps the error) when it could not. */
  write(run: RunResult): boolean {
    if (this.error) return false;
    try {
      fs.writeFileSync(this.tmp, `${JSON.stringify(run, null, 2)}\n`);
      fs.renameSync(this.tmp, this.path);
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      process.emitWarning(`hilrig: ${this.path} not written: ${this.error.message}`);
      fs.rmSync(this.tmp, { force: true });
      return false;
    }
  }
}

/** Read a results.json back (for tests and tools); throws when it is not one. */
export function readResultsJson(file: string): RunResult {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.tests)) throw new TypeError(`${path.basename(file)} is not a hilrig results file`);
  return v;
}

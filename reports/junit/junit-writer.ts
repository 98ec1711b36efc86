// junit.xml on disk: written whole (temporary file, then rename), like results.json, so CI never
// picks up half a document.
import * as fs from 'node:fs';
import type { RunResult } from '../results/result-model.js';
import { junitXml } from './junit-xml.js';

/** Write `run` as junit.xml to `file`; throws the fs error. */
export function writeJunitXml(file: string, run: RunResult): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, junitXml(run));
  fs.renameSync(tmp, file);
}

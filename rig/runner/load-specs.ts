// Loading spec files into a mocha instance, the way mocha's loadFilesAsync does (pre-require sets
// the globals `it`/`describe` to this instance, then the file is imported), with two changes:
//  - every run imports a fresh copy of each spec file (a query string mocha's own loader lacks),
//    because Node caches ES modules for the life of the process and a second run in the same
//    process would otherwise register no tests at all; the modules a spec imports (suite-api,
//    the CoAP stack) stay cached and shared;
//  - a file that throws while loading is reported by name, with its error, as SUITE_LOAD_FAILED.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type Mocha from 'mocha';
import { SuiteError } from './errors.js';

let generation = 0;
const require = createRequire(import.meta.url);

export async function loadSpecFiles(mocha: Mocha, files: readonly string[]): Promise<void> {
  const run = ++generation;
  const suite = mocha.suite;
  for (const file of files) {
    suite.emit('pre-require', global, file, mocha);
    let mod: unknown;
    try {
      // a CommonJS spec is cached by require; drop it so it runs again
      delete require.cache[file];
      mod = await import(`${pathToFileURL(file).href}?hilrig-run=${run}`);
    } catch (e) {
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const where = e instanceof Error && e.stack ? firstFrame(e.stack, file) : '';
      throw new SuiteError('SUITE_LOAD_FAILED', `suite file ${file} failed to load: ${what}${where}`, file, { cause: e });
    }
    suite.emit('require', mod, file, mocha);
    suite.emit('post-require', global, file, mocha);
  }
}

/** The stack line inside the spec file, when there is one: where in the file it threw. */
function firstFrame(stack: string, file: string): string {
  const line = stack.split('\n').find((l) => l.includes(file));
  return line ? ` (${line.trim().replace(/\?hilrig-run=\d+/, '')})` : '';
}

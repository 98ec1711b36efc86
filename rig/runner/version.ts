// hilrig's own version for results.json: package.json's, found by walking up from this module
// (dist/rig/runner/ as tsc emits it, or dist/cli/bin/ inside the bundled CLI).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function hilrigVersion(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'hilrig' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here: one level up
    }
    dir = path.dirname(dir);
  }
  return (cached = 'unknown');
}

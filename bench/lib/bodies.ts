// Upload bodies for the CoAP benchmarks: deterministic bytes that look random (so no block
// repeats another, and a block sent twice or out of place shows in the comparison), written to a
// private temporary folder that is removed at the end, and compared byte for byte afterwards.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `n` bytes from xorshift32 seeded with `seed`: the same body on every run. */
export function bodyBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface Scratch {
  readonly dir: string;
  /** write `bytes` to a file in the folder; returns its path */
  write(name: string, bytes: Uint8Array): string;
  /** a path in the folder (for a program's output) */
  path(name: string): string;
  remove(): void;
}

export function scratchDir(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    write: (name, bytes) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Undefined when `got` equals `want`; else what differs (length, first differing offset). */
export function differs(want: Uint8Array, got: Uint8Array): string | undefined {
  const n = Math.min(want.length, got.length);
  for (let i = 0; i < n; i++) {
    if (want[i] !== got[i]) return `byte ${i} differs (block ${Math.floor(i / 1024)} of 1024-byte blocks): sent 0x${want[i]!.toString(16)}, got 0x${got[i]!.toString(16)}`;
  }
  return want.length === got.length ? undefined : `sent ${want.length} bytes, got ${got.length}`;
}

/** Throws naming `what` when the file at `path` is not `want`. */
export function expectFile(what: string, want: Uint8Array, path: string): void {
  let got: Uint8Array;
  try {
    got = readFileSync(path);
  } catch (e) {
    throw new Error(`${what}: nothing read back (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const d = differs(want, got);
  if (d) throw new Error(`${what}: not byte-identical: ${d}`);
}

// Child processes for benchmarks that time whole programs (a CLI is judged by the wall time its
// user waits, start-up included): run one to its end with a deadline and time it, or start a
// long-running one and wait for its `ready URL` line. Every child is bounded in time, tracked,
// and killed by its own pid when the benchmark ends, fails or is interrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();
let hooked = false;

/** Kill what is still running when this process ends, however it ends. */
function track(p: ChildProcess): void {
  live.add(p);
  p.once('exit', () => live.delete(p));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** The last `max` characters of a stream's text: enough to say why a child failed. */
class Tail {
  text = '';
  constructor(private readonly max = 4000) {}
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
}

export interface Timed {
  /** wall time from just before spawn to the child's exit, in ms */
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** kill the child (SIGKILL) and reject after this long */
  timeoutMs: number;
  /** what to call it in errors (default: the command) */
  label?: string;
}

const describe = (cmd: string, args: readonly string[]): string => [cmd, ...args].join(' ');

/**
 * Run `cmd args` to its end and time it. Its output is collected (the tail of it) rather than
 * inherited, so a chatty child costs the same in every round. Rejects on a spawn failure or the
 * deadline; a non-zero exit is returned (see `check`).
 */
export async function runTimed(cmd: string, args: readonly string[], opts: RunOptions): Promise<Timed> {
  const label = opts.label ?? describe(cmd, args);
  const out = new Tail();
  const err = new Tail();
  const t0 = performance.now();
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(p);
  let ms = 0;
  p.once('exit', () => (ms = performance.now() - t0));
  p.stdout.on('data', (b: Buffer) => out.add(b));
  p.stderr.on('data', (b: Buffer) => err.add(b));
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    p.kill('SIGKILL');
  }, opts.timeoutMs);
  try {
    // 'close' after 'exit': the output is complete; the time was taken at 'exit'
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      p.once('error', reject);
      p.once('close', (c, s) => resolve([c, s]));
    });
    if (timedOut) throw new Error(`${label}: still running after ${opts.timeoutMs} ms, killed${err.text ? `; stderr: ${err.text.trim()}` : ''}`);
    return { ms, code, signal, stdout: out.text, stderr: err.text };
  } finally {
    clearTimeout(deadline);
  }
}

/** The result if the child exited 0, else an error with what it said. */
export function check(r: Timed, label: string): Timed {
  if (r.code === 0) return r;
  const said = (r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ');
  throw new Error(`${label}: exited ${r.code ?? r.signal}${said ? `: ${said}` : ''}`);
}

export interface Service {
  /** what the `ready` line named, e.g. udp://127.0.0.1:40123 */
  readonly url: string;
  readonly proc: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the output since `ready` */
  stop(graceMs?: number): Promise<string>;
}

/**
 * Start `cmd args` and resolve once it prints a line `ready URL ...` on stdout (hilrig relay,
 * hilrig sim). Its stdout keeps being read (a full pipe would stall it); stderr is kept for errors.
 */
export async function startReady(cmd: string, args: readonly string[], opts: RunOptions): Promise<Service> {
  const label = opts.label ?? describe(cmd, args);
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(p);
  const err = new Tail();
  const after = new Tail(16_000);
  p.stderr.on('data', (b: Buffer) => err.add(b));
  const exited = new Promise<void>((resolve) => p.once('close', () => resolve()));
  let ready = false;
  const stop = async (graceMs = 5000): Promise<string> => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    await exited;
    return after.text;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`${label}: no "ready" line within ${opts.timeoutMs} ms${err.text ? `; stderr: ${err.text.trim()}` : ''}`)), opts.timeoutMs);
      p.once('error', (e) => (clearTimeout(deadline), reject(e)));
      p.once('exit', (code, sig) => (clearTimeout(deadline), reject(new Error(`${label}: exited ${code ?? sig} before its "ready" line${err.text ? `: ${err.text.trim()}` : ''}`))));
      createInterface({ input: p.stdout }).on('line', (line) => {
        if (ready) return after.add(`${line}\n`);
        const m = /^ready (\S+)/.exec(line);
        if (!m) return;
        ready = true;
        clearTimeout(deadline);
        resolve(m[1]!);
      });
    });
    return { url, proc: p, stop };
  } catch (e) {
    await stop(1000);
    throw e;
  }
}

/** Start a program that prints no ready line; `up()` says when it serves (e.g. a CoAP ping). */
export async function startUntil(cmd: string, args: readonly string[], up: () => Promise<void>, opts: RunOptions): Promise<Service> {
  const label = opts.label ?? describe(cmd, args);
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(p);
  const err = new Tail();
  p.stdout.on('data', (b: Buffer) => err.add(b));
  p.stderr.on('data', (b: Buffer) => err.add(b));
  const exited = new Promise<void>((resolve) => p.once('close', () => resolve()));
  const stop = async (graceMs = 5000): Promise<string> => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    await exited;
    return err.text;
  };
  const died = new Promise<never>((_, reject) => {
    p.once('error', reject);
    p.once('exit', (code, sig) => reject(new Error(`${label}: exited ${code ?? sig} before it served${err.text ? `: ${err.text.trim()}` : ''}`)));
  });
  died.catch(() => undefined); // observed below; once up, a later exit is the caller's concern
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (deadline = setTimeout(() => reject(new Error(`${label}: not serving after ${opts.timeoutMs} ms`)), opts.timeoutMs)));
  try {
    await Promise.race([up(), died, late]);
    return { url: '', proc: p, stop };
  } catch (e) {
    await stop(1000);
    throw e;
  } finally {
    clearTimeout(deadline);
  }
}

/** `p`, or a rejection naming `what` once `ms` pass (for work in this process: no child to kill). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

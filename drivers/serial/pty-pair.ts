// A pair of linked pseudo-terminals made by socat: what one side writes, the other reads, like
// a null-modem cable. The virtual board opens one end, the rig the other, and both use the real
// serial driver. socat must be on PATH.
//
// Measured on Linux (socat 1.7.4, serialport 13): bytes written before the rig side is opened
// wait in that pty's input queue, but serialport flushes the queue when it opens a port
// (tcflush TCIOFLUSH), so they are lost to the rig; socat survives the rig side being closed
// and reopened, so one pair serves successive `hilrig console` sessions.
import { type ChildProcess, spawn } from 'node:child_process';
import { HilrigError } from '../../rig/engine/errors.js';

export interface PtyPair {
  /** the end the board opens */
  boardSide: string;
  /** the end the rig opens */
  rigSide: string;
  /** socat's process id */
  pid: number | undefined;
  /** stop socat and wait until it is gone (idempotent) */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** how long socat may take to report both ptys (ms, default 5000) */
  timeoutMs?: number;
  /** the socat executable (default 'socat' from PATH) */
  socat?: string;
}

const SOCAT_MISSING = 'socat not found: `apt-get install socat`, or attach with --serial PATH';
const PTY_LINE = /PTY is (\S+)/g;
/** stderr kept for error messages */
const TAIL_CHARS = 2000;
const KILL_GRACE_MS = 2000;

function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/** Terminate socat: SIGTERM, then SIGKILL if it lingers. */
async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const killer = setTimeout(() => p.kill('SIGKILL'), KILL_GRACE_MS);
  await exited(p);
  clearTimeout(killer);
}

/** Spawn socat and resolve once it has made both ptys. Rejects with OPEN_FAILED naming the cause. */
export function createPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const exe = opts.socat ?? 'socat';
  const p = spawn(exe, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= stop(p));

  return new Promise<PtyPair>((resolve, reject) => {
    let settled = false;
    const settle = (err: HilrigError | undefined, pair?: PtyPair): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        void close().then(() => reject(err));
      } else if (pair) {
        resolve(pair);
      }
    };
    const timer = setTimeout(() => {
      settle(new HilrigError('TIMEOUT', `socat did not report two ptys within ${timeoutMs} ms; it said: ${stderr.trim() || '(nothing)'}`));
    }, timeoutMs);

    p.on('error', (e: NodeJS.ErrnoException) => {
      const msg = e.code === 'ENOENT' ? SOCAT_MISSING : `cannot run socat: ${e.message}`;
      settle(new HilrigError('OPEN_FAILED', msg, { cause: e }));
    });
    p.on('exit', (code, signal) => {
      settle(new HilrigError('OPEN_FAILED', `socat exited (${signal ?? `code ${code}`}) before making the ptys: ${stderr.trim() || '(no output)'}`));
    });
    // keep reading for socat's whole life, or its notices would fill the pipe and block it
    p.stderr?.setEncoding('utf8');
    p.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL_CHARS);
      if (settled) return;
      // ready once socat runs its transfer loop, not merely when the ptys exist
      const paths = [...stderr.matchAll(PTY_LINE)].map((m) => m[1]!);
      if (paths.length >= 2 && stderr.includes('starting data transfer loop')) settle(undefined, { boardSide: paths[0]!, rigSide: paths[1]!, pid: p.pid, close });
    });
  });
}

// Two linked pseudo-terminals from socat: bytes written to one come out of the other, the
// way a board's UART looks through a USB adapter. Killing socat makes both ends vanish, which
// is how tests unplug a board.
import { type ChildProcess, spawn } from 'node:child_process';

export interface PtyPair {
  /** one end, '/dev/pts/N' */
  a: string;
  /** the other end */
  b: string;
  /** socat's process id */
  pid: number;
  /** end socat (both ends vanish) and wait until it has exited; safe to call twice */
  kill(): Promise<void>;
}

/** socat processes not yet reaped: killed on exit so a forgotten kill() never leaks one. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const START_TIMEOUT_MS = 5000;
const KILL_GRACE_MS = 2000;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Wait for the child's exit, with SIGKILL after a grace period. */
function reap(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (exited(child)) {
      live.delete(child);
      return resolve();
    }
    // keep the loop alive while we wait, even though the child was unref'd
    child.ref();
    const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      live.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Start `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and resolve with both paths once socat
 * runs its transfer loop. Rejects within a bounded time, with socat's output when it fails,
 * and with an install hint when socat is missing.
 */
export function openPtyPair(): Promise<PtyPair> {
  return new Promise<PtyPair>((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let log = '';
    let settled = false;

    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void reap(child).then(() => reject(new Error(message)));
    };
    const timer = setTimeout(() => fail(`socat did not report two ptys within ${START_TIMEOUT_MS} ms; its output:\n${log}`), START_TIMEOUT_MS);

    child.on('error', (err: NodeJS.ErrnoException) => {
      live.delete(child);
      fail(err.code === 'ENOENT' ? 'socat not found: apt-get install socat' : `cannot start socat: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      fail(`socat exited (${signal ?? `code ${code}`}) before the ptys were ready; its output:\n${log}`);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      // keep reading after start too, so socat never blocks on a full pipe
      if (settled) return;
      log += text;
      const ptys = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      if (ptys.length < 2 || !/starting data transfer loop/.test(log)) return;
      settled = true;
      clearTimeout(timer);
      // An open pair must not keep mocha (run without --exit) alive on its own.
      child.unref();
      (child.stderr as { unref?: () => void } | null)?.unref?.();
      const [a, b] = ptys as [string, string];
      resolve({ a, b, pid: child.pid ?? -1, kill: () => reap(child) });
    });
  });
}

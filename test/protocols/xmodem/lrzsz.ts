// lrzsz (rx, rb) as the receiving peer on one end of a pty pair. lrzsz talks on its stdin and
// stdout; two ways to put those on the pty end:
// - 'socat' (default): `socat PTY,raw,echo=0 EXEC:"rx ..."` relays between the pty and the
//   child's stdio (a socketpair);
// - 'fd': the pty end is opened here once (read/write, not as a controlling terminal) and that
//   descriptor becomes the child's fd 0 and fd 1.
// Measured with lrzsz 0.12.21rc on Linux ptys: with 'fd', lrzsz sends the ACK of the EOT, then
// on exit calls tcdrain() (which does not wait on a pty) and tcflush(TCIOFLUSH), which on a pty
// also discards what it wrote that socat has not read yet; so now and then the ACK of the EOT
// never arrives (3 of 6 runs of 100 KiB) and the sender retries the EOT to a receiver that is
// gone. Through 'socat' lrzsz's stdio is a socket, the flush does nothing, and the pty pair
// still carries every byte between the rig and lrzsz. Both are equally fast otherwise; either
// way lrzsz waits 1 s after the last EOT (its read timeout) before it answers.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface PtyPeer {
  pid: number | undefined;
  /** resolves when the program exits */
  exited: Promise<PeerExit>;
  /** SIGTERM (then SIGKILL after 2 s) and wait; safe to call twice */
  kill(signal?: NodeJS.Signals): Promise<PeerExit>;
}

/** Children still running: killed on exit so a failing test never leaks one. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export type PtyHookup = 'socat' | 'fd';

/** socat's EXEC takes the command as one string cut at spaces: refuse what it would misread. */
function execAddress(cmd: string, args: string[]): string {
  for (const a of [cmd, ...args]) if (!/^[\w./+-]+$/.test(a)) throw new TypeError(`spawnOnPty: "${a}" cannot go through socat EXEC (spaces, quotes, ':' or ',')`);
  return `EXEC:${[cmd, ...args].join(' ')}`;
}

/** Run `cmd args` with its stdin and stdout on the pty `ptyPath`, in `cwd`. */
export function spawnOnPty(cmd: string, args: string[], ptyPath: string, cwd: string, via: PtyHookup = 'socat'): PtyPeer {
  let p: ChildProcess;
  if (via === 'socat') {
    p = spawn('socat', [`${ptyPath},raw,echo=0`, execAddress(cmd, args)], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const fd = fs.openSync(ptyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    try {
      p = spawn(cmd, args, { cwd, stdio: [fd, fd, 'pipe'] });
    } finally {
      // the child has its own copy now
      fs.closeSync(fd);
    }
  }
  live.add(p);
  let stderr = '';
  p.stderr?.setEncoding('utf8');
  p.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const exited = new Promise<PeerExit>((resolve) => {
    p.on('error', (e) => {
      live.delete(p);
      resolve({ code: -1, signal: null, stderr: `${stderr}\nspawn ${cmd}: ${e.message}` });
    });
    p.on('close', (code, signal) => {
      live.delete(p);
      resolve({ code, signal, stderr });
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<PeerExit> => {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill(signal);
      const t = setTimeout(() => p.kill('SIGKILL'), 2000);
      const r = await exited;
      clearTimeout(t);
      return r;
    }
    return exited;
  };
  return { pid: p.pid, exited, kill };
}

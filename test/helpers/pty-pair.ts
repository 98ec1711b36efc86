// Two linked pseudo-terminals for tests: the production pair maker (drivers/serial/pty-pair.ts)
// under the names tests use, plus a guard that no socat outlives the test process.
import { createPtyPair } from '../../drivers/serial/pty-pair.js';

export interface PtyPair {
  /** one end, '/dev/pts/N' */
  a: string;
  /** the other end */
  b: string;
  /** socat's process id */
  pid: number;
  /** end socat (both ends vanish: how tests unplug a board) and wait for it; safe to call twice */
  kill(): Promise<void>;
}

/** socat processes still running: killed on exit so a forgotten kill() never leaks one. */
const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function openPtyPair(): Promise<PtyPair> {
  const pair = await createPtyPair();
  const pid = pair.pid ?? -1;
  live.add(pid);
  return {
    a: pair.boardSide,
    b: pair.rigSide,
    pid,
    kill: async () => {
      await pair.close();
      live.delete(pid);
    },
  };
}

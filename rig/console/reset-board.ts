// Resetting a board from its console session, so that its boot banner is printed while the rig
// listens. Why: what a board prints before the rig opens the port waits in the tty's input
// queue, and serialport flushes that queue when it opens a port, so the banner is lost unless
// it was still in transit (test/rig/console-pre-attach.test.ts); and a pty has no DTR line to
// reset through. The profile says how: the virtual board is reset by typing `reboot`.
import type { BoardProfile } from '../../boards/profiles/index.js';
import { HilrigError } from '../engine/index.js';
import type { ConsoleSession } from './console-session.js';

/** Reset the board behind `session` with its profile's method; rejects NOT_SUPPORTED for methods this cannot drive. */
export async function resetFromConsole(session: ConsoleSession, profile: BoardProfile): Promise<void> {
  const reset = profile.reset;
  switch (reset.method) {
    case 'shell':
      session.sendLine(reset.command);
      return;
    case 'none':
      throw new HilrigError('NOT_SUPPORTED', `board profile ${profile.name} has no reset method (reset: none)`);
    case 'dtr-rts':
    case 'command':
      // these need the rig's reset controller (the board's other ports, external tools)
      throw new HilrigError('NOT_SUPPORTED', `board profile ${profile.name} resets by ${reset.method}; the console resets only boards with a shell reset`);
  }
}

// `hilrig run`'s board: the rig file's, the --target URL's, or the virtual board booted here.
// Problems the user can fix (a bad rig file or URL, an unknown bug name) print their message and
// return exit 2; a board that cannot be started (no free port, a socket error) returns exit 3.
import { Exit } from '../cli/exit-codes.js';
import { loadRigFile } from '../config/load-rig.js';
import { RigConfigError } from '../config/errors.js';
import { selectBoard, targetToBoard } from '../config/select-board.js';
import { describeError, HilrigError } from '../engine/errors.js';
import { configuredBoard, DEFAULT_VIRTUAL_SPEED, type PreparedBoard, virtualBoard } from './board-setup.js';

export interface BoardArgs {
  rig?: string;
  board?: string;
  target?: string;
  virtual: boolean;
  bugs: string[];
  speed?: number;
}

const fail = (code: number, message: string): number => {
  process.stderr.write(`hilrig run: ${message}\n`);
  return code;
};

export async function prepareBoard(args: BoardArgs): Promise<PreparedBoard | number> {
  try {
    if (args.virtual) return await virtualBoard({ bugs: args.bugs, speed: args.speed ?? DEFAULT_VIRTUAL_SPEED });
    if (args.target !== undefined) {
      // the board is named by its URL: that is what the user knows it by
      const sel = targetToBoard(args.target);
      return configuredBoard(args.target, sel.board);
    }
    const sel = selectBoard(await loadRigFile(args.rig!), args.board, args.rig);
    return configuredBoard(sel.name, sel.board);
  } catch (e) {
    if (e instanceof RigConfigError) return fail(Exit.USAGE, e.message);
    if (e instanceof HilrigError && (e.code === 'BAD_OPTION' || e.code === 'NOT_SUPPORTED')) return fail(Exit.USAGE, e.message);
    return fail(Exit.RIG_ERROR, `the board could not be set up: ${describeError(e)}`);
  }
}

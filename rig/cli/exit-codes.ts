// hilrig's exit codes, the same for every command, so CI scripts can tell a failing board
// from a broken rig.
export const Exit = {
  /** everything passed / the command did what was asked */
  OK: 0,
  /** a test failed (the board broke a rule) */
  TEST_FAILED: 1,
  /** bad command line or bad rig file */
  USAGE: 2,
  /** the rig or the link failed: port missing, board silent, I/O error */
  RIG_ERROR: 3,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

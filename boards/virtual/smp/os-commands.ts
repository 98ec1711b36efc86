// Group 0, OS management (Zephyr smp_group_0.rst, os_mgmt.c): echo (id 0), system reset (id 5)
// and MCUmgr parameters (id 6).
import type { SmpMessage } from '../../../protocols/smp/smp-header.js';
import { boolField, type SmpEnv, stringField } from './smp-env.js';
import { MGMT, mgmtError, ok, type SmpResult } from './smp-replies.js';

/** Echo: `{ d: text }` -> `{ r: text }` (read and write alike, as os_mgmt registers it). */
export function osEcho(_env: SmpEnv, req: SmpMessage): SmpResult {
  const d = stringField(req.body ?? {}, 'd');
  if (d === undefined || d === 'bad') return mgmtError(MGMT.EINVAL, 'echo wants a text string "d"');
  return ok({ r: d });
}

/** Reset: answer, then reset after the answer has left (CONFIG_MCUMGR_GRP_OS_RESET_MS later). */
export function osReset(env: SmpEnv, req: SmpMessage): SmpResult {
  if (boolField(req.body ?? {}, 'force') === 'bad') return mgmtError(MGMT.EINVAL, '"force" must be a boolean');
  env.log('inf', 'reset requested over SMP');
  env.requestReset();
  return ok({});
}

/** MCUmgr parameters: the buffer a request must fit in, and how many such buffers there are. */
export function osMcumgrParams(env: SmpEnv): SmpResult {
  return ok({ buf_size: env.params.bufSize, buf_count: env.params.bufCount });
}

// The SMP management groups the rig speaks, typed: group 0 (OS) and group 1 (images), and the
// error names and descriptions of every group. One import for request builders and readers.
export * from './smp-os-group.js';
export * from './smp-image-group.js';
export * from './smp-errors.js';
export { type SmpRequest, SmpResponseError, successBody } from './smp-request.js';
export { SmpGroup } from './smp-header.js';

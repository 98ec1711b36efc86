// Every board profile hilrig knows, by name.
import type { BoardProfile } from './board-profile.js';
import { virtualProfile } from './virtual.js';

export type { BoardProfile, FlashGeometry, FlashSlot, ResetMethod, UploadProtocol } from './board-profile.js';

export const boardProfiles: Readonly<Record<string, BoardProfile>> = {
  [virtualProfile.name]: virtualProfile,
};

/** The profile called `name`, or undefined; `knownProfiles()` for the error message. */
export function findProfile(name: string): BoardProfile | undefined {
  return Object.hasOwn(boardProfiles, name) ? boardProfiles[name] : undefined;
}

export function knownProfiles(): string[] {
  return Object.keys(boardProfiles).sort();
}

// The SMP server's bug modes: each breaks exactly one rule of the image upload, so a conformance
// suite can be shown to catch it. They live where they act: the upload handler
// (smp/image-upload.ts) checks the chunk rules and the final SHA-256, the stream writer
// (smp/upload-writer.ts) the progressive erase.
import type { BugMode } from '../service.js';

const SERVICE = 'smp';
const mode = (name: string, rule: string): BugMode => ({ name, rule, service: SERVICE });

/** The names, for the code that checks them. */
export const SmpBug = {
  DuplicateChunkWritten: 'smp-duplicate-chunk-written',
  OffIgnored: 'smp-off-ignored',
  WrongOffAnswer: 'smp-wrong-off-answer',
  ShaNotChecked: 'smp-sha-not-checked',
  SectorOffByOne: 'smp-sector-off-by-one',
  OversizeAccepted: 'smp-oversize-accepted',
} as const;

export const smpBugModes: readonly BugMode[] = [
  mode(
    SmpBug.DuplicateChunkWritten,
    'smp_group_1.rst, Image upload (Zephyr img_mgmt): a chunk below the offset the device has reached (a retransmission after a lost answer) is not written again; the answer carries the expected off',
  ),
  mode(SmpBug.OffIgnored, 'smp_group_1.rst, Image upload: "off" is where the chunk\'s data goes; a chunk at another offset than the expected one is dropped and answered with the expected off'),
  mode(SmpBug.WrongOffAnswer, 'smp_group_1.rst, Image upload: the answer\'s "off" is the offset the device expects next, i.e. the number of image bytes it holds'),
  mode(SmpBug.ShaNotChecked, 'smp_group_1.rst, Image upload: "sha" is the SHA-256 of the whole image; an upload whose data does not match it must not leave a usable image'),
  mode(SmpBug.SectorOffByOne, 'flash (NOR): a sector is erased before anything is programmed into it; the progressive erase of an upload erases each sector when the data first reaches it'),
  mode(SmpBug.OversizeAccepted, 'smp_group_1.rst, Image upload (Zephyr img_mgmt): an image larger than the slot is refused on its first chunk with IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE'),
];

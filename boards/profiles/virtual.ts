// The built-in virtual board (`hilrig sim`), as the rig sees it.
import type { BoardProfile } from './board-profile.js';

const KiB = 1024;

export const virtualProfile: BoardProfile = {
  name: 'virtual',
  description: 'the hilrig virtual board: its firmware runs in `hilrig sim`, on UDP and a socat pty',
  console: {
    baud: 115200,
    prompt: 'uart:~$ ',
    banner: /^\*\*\* Booting hilrig virtual board v\S+ \*\*\*$/,
  },
  // A pty has no DTR/RTS: the firmware's own `reboot` command stands in for the reset line.
  reset: { method: 'shell', command: 'reboot' },
  // A small MCUboot layout (64 KiB bootloader, two 448 KiB slots, 64 KiB scratch/storage).
  flash: {
    size: 1024 * KiB,
    sectorSize: 4 * KiB,
    writeSize: 8,
    slots: {
      primary: { offset: 64 * KiB, size: 448 * KiB },
      secondary: { offset: 512 * KiB, size: 448 * KiB },
    },
  },
  // What the firmware speaks today; each protocol service added to boards/virtual/services
  // lists itself here as it lands.
  uploadProtocols: [],
};

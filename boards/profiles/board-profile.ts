// What hilrig knows about a kind of board, as typed data: how to talk to its console, how to
// reset it, its flash layout and which upload protocols its firmware speaks. A rig file names a
// profile per board (`profile: virtual`); the shapes match rig.yaml's reset and flash sections.

/** How a board is reset so that it boots again (and prints its banner). */
export type ResetMethod =
  /** never reset; tests must leave the board usable */
  | { method: 'none' }
  /** modem lines of the console UART, the esptool / Arduino sequences */
  | { method: 'dtr-rts'; sequence: 'esptool' | 'arduino' | 'rts-pulse' | 'dtr-pulse'; pulseMs: number }
  /** an external tool (openocd, pyocd, nrfjprog) run by the shell */
  | { method: 'command'; command: string; timeoutMs: number }
  /**
   * a command line typed into the board's own shell: for boards without reset lines, such as
   * the virtual board on a pty
   */
  | { method: 'shell'; command: string };

export interface FlashSlot {
  /** byte offset from the start of flash */
  offset: number;
  size: number;
}

export interface FlashGeometry {
  size: number;
  /** erase unit */
  sectorSize: number;
  /** program unit; uploads are padded to it */
  writeSize: number;
  /** MCUboot slots */
  slots: { primary: FlashSlot; secondary?: FlashSlot };
}

/** Upload protocols a firmware may speak. */
export type UploadProtocol = 'smp-serial' | 'smp-udp' | 'xmodem' | 'ymodem';

export interface BoardProfile {
  /** the name used in rig files and with --board: [a-z0-9][a-z0-9_-]* */
  name: string;
  description: string;
  console: {
    baud: number;
    /** the shell's prompt, when the firmware has a shell */
    prompt?: string;
    /** a line the firmware prints at every boot */
    banner?: RegExp;
  };
  reset: ResetMethod;
  flash?: FlashGeometry;
  uploadProtocols: readonly UploadProtocol[];
}

// Board reset sequences over DTR/RTS, as data, and one runner for all of them.
//
// Line states are the driver's: `true` = asserted (pyserial's setDTR(True)), which drives the
// adapter's DTR#/RTS# pin LOW. The ESP auto-reset circuit (two transistors, as on most
// ESP32/ESP8266 dev boards) gives:
//   EN (chip enable)   = LOW when RTS is asserted and DTR is not
//   IO0 (boot strap)   = LOW when DTR is asserted and RTS is not
// and both asserted or both released leaves EN and IO0 high, so opening a port (which asserts
// both) does not reset the chip. The esptool steps below follow esptool's reset.py
// (ClassicReset, HardReset, USBJTAGSerialReset); `arduino` follows avrdude's arduino_open().
import type { Clock } from '../../rig/engine/clock.js';
import type { LineControl } from '../../rig/engine/driver.js';

export type ResetStep = { set: { dtr?: boolean; rts?: boolean } } | { waitMs: number };

export interface ResetSequence {
  readonly description: string;
  readonly steps: readonly ResetStep[];
}

/** esptool's DEFAULT_RESET_DELAY: how long IO0 stays low after EN rises. */
const ESPTOOL_RESET_DELAY_MS = 50;

export const resetSequences = {
  esptool: {
    description: 'ESP32/ESP8266 into the ROM bootloader (esptool --before default_reset): hold EN low 100 ms, release it with IO0 low',
    steps: [
      { set: { dtr: false } }, // IO0 high
      { set: { rts: true } }, // EN low: chip in reset
      { waitMs: 100 },
      { set: { dtr: true } }, // IO0 low
      { set: { rts: false } }, // EN high: chip leaves reset and samples IO0 low -> bootloader
      { waitMs: ESPTOOL_RESET_DELAY_MS },
      { set: { dtr: false } }, // IO0 high again
    ],
  },
  'esptool-run': {
    description: 'ESP32/ESP8266 hard reset into the application (esptool --after hard_reset): EN low 100 ms with IO0 high',
    steps: [
      { set: { dtr: false, rts: true } }, // IO0 high, EN low
      { waitMs: 100 },
      { set: { rts: false } }, // EN high: boots the app
    ],
  },
  'esptool-usb-jtag': {
    description: "ESP32-C3/S3 USB-Serial/JTAG into the bootloader (esptool's USBJTAGSerialReset)",
    steps: [
      { set: { rts: false } },
      { set: { dtr: false } }, // idle
      { waitMs: 100 },
      { set: { dtr: true } }, // request IO0 low
      { set: { rts: false } },
      { waitMs: 100 },
      { set: { rts: true } }, // reset; going through (1,1) rather than (0,0)
      { set: { dtr: false } },
      { set: { rts: true } },
      { waitMs: 100 },
      { set: { dtr: false } },
      { set: { rts: false } }, // out of reset
    ],
  },
  arduino: {
    description: "AVR Arduino (Uno, Nano...) auto-reset as avrdude does on open: release DTR/RTS 250 ms, assert them (the capacitor pulses RESET low), wait 50 ms",
    steps: [
      { set: { dtr: false, rts: false } }, // discharge the reset capacitor
      { waitMs: 250 },
      { set: { dtr: true, rts: true } }, // falling DTR# edge: RESET pulse, the bootloader starts
      { waitMs: 50 },
    ],
  },
  // Opening a port asserts both lines, so a pulse first releases its line: without that there
  // would be no asserting edge for an edge-triggered (capacitor-coupled) reset to see.
  'rts-pulse': {
    description: 'release RTS 10 ms, assert it 100 ms, release it',
    steps: [{ set: { rts: false } }, { waitMs: 10 }, { set: { rts: true } }, { waitMs: 100 }, { set: { rts: false } }],
  },
  'dtr-pulse': {
    description: 'release DTR 10 ms, assert it 100 ms, release it',
    steps: [{ set: { dtr: false } }, { waitMs: 10 }, { set: { dtr: true } }, { waitMs: 100 }, { set: { dtr: false } }],
  },
} as const satisfies Record<string, ResetSequence>;

export type ResetSequenceName = keyof typeof resetSequences;

export const resetSequenceNames = Object.keys(resetSequences) as ResetSequenceName[];

export function isResetSequenceName(name: string): name is ResetSequenceName {
  return Object.hasOwn(resetSequences, name);
}

/** A sleep on the manager's clock, so a virtual clock drives a sequence in tests. */
export function clockSleep(clock: Clock): (ms: number) => Promise<void> {
  return (ms) => new Promise<void>((resolve) => clock.schedule(ms, resolve));
}

/**
 * Play a named sequence on a port's lines. Rejects with the driver's error when a step fails
 * (NOT_SUPPORTED on a pty or an adapter without modem lines); throws TypeError for an unknown
 * name, listing the known ones.
 */
export async function runResetSequence(line: LineControl, name: string, sleep: (ms: number) => Promise<void>): Promise<void> {
  if (!isResetSequenceName(name)) {
    throw new TypeError(`unknown reset sequence "${name}"; known: ${resetSequenceNames.join(', ')}`);
  }
  for (const step of resetSequences[name].steps) {
    if ('waitMs' in step) await sleep(step.waitMs);
    else await line.set(step.set);
  }
}

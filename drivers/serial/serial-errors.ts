// What serialport's errors mean to a rig user. The native bindings report failures as plain
// Errors whose text is `strerror(errno)` wrapped in a sentence ("Error: No such file or
// directory, cannot open /dev/ttyACM9"), without an errno code, so the mapping reads the text.
import { describeError, HilrigError } from '../../rig/engine/errors.js';

/** The OS reason without serialport's wrapping: "No such file or directory". */
export function osReason(e: unknown): string {
  const msg = describeError(e).trim();
  const m = /^Error:?\s+(.*?)(?:,?\s+(?:cannot open .*|Cannot open .*|Cannot lock port|cannot set|cannot get))?$/.exec(msg);
  return m?.[1] || msg;
}

/** ptys name their lack of modem lines differently from a USB adapter without them. */
export function isPseudoTerminal(path: string): boolean {
  return path.startsWith('/dev/pts/') || /^\/dev\/pty[a-z]/.test(path);
}

/** A failed open, classified so a user can act on it. */
export function openError(path: string, e: unknown): HilrigError {
  const text = describeError(e);
  const reason = osReason(e);
  const opts = { cause: e };
  if (/No such file or directory|ENOENT|No such device|ENODEV|ENXIO/i.test(text)) {
    return new HilrigError('PORT_NOT_FOUND', `${path}: no such port (${reason}); is the board plugged in? \`hilrig ports\` lists ports`, opts);
  }
  if (/Permission denied|EACCES|Operation not permitted|EPERM/i.test(text)) {
    return new HilrigError(
      'PORT_PERMISSION',
      `${path}: permission denied (${reason}); add your user to the group that owns the port (usually dialout: \`sudo usermod -aG dialout $USER\`, then log in again)`,
      opts,
    );
  }
  // flock(LOCK_EX|LOCK_NB) fails with EWOULDBLOCK ("Resource temporarily unavailable") when
  // another process holds the port; EBUSY comes from drivers that allow one opener.
  if (/Cannot lock port|Resource temporarily unavailable|EAGAIN|EWOULDBLOCK|Device or resource busy|EBUSY/i.test(text)) {
    return new HilrigError(
      'PORT_BUSY',
      `${path}: port busy (${reason}); another program holds it (a serial monitor, ModemManager, another hilrig run?); \`fuser ${path}\` names it`,
      opts,
    );
  }
  // The bindings refuse settings the platform's termios cannot express (mark/space parity and
  // 1.5 stop bits on Linux and macOS).
  if (/Invalid (parity|stop bits|data bits) setting/i.test(text)) {
    return new HilrigError('NOT_SUPPORTED', `${path}: ${reason}: the serial driver on ${process.platform} does not support this setting`, opts);
  }
  return new HilrigError('OPEN_FAILED', `${path}: cannot open: ${reason}`, opts);
}

/** The port went away while open: unplugged, board reset re-enumerating USB, pty peer gone. */
export function vanishedError(path: string, e: unknown): HilrigError {
  const why = isPseudoTerminal(path) ? 'the other end of the pseudo-terminal closed' : 'was the board unplugged or reset?';
  return new HilrigError('PORT_VANISHED', `${path}: port vanished (${osReason(e)}); ${why}`, { cause: e });
}

/** A failed modem-control request (DTR/RTS/break set, CTS/DSR/DCD get). */
export function lineError(path: string, what: string, e: unknown): HilrigError {
  const text = describeError(e);
  const reason = osReason(e);
  if (/Inappropriate ioctl|ENOTTY|Invalid argument|EINVAL/i.test(text)) {
    const who = isPseudoTerminal(path) ? 'a pseudo-terminal has no modem lines' : 'this port has no modem lines';
    return new HilrigError('NOT_SUPPORTED', `${path}: cannot ${what}: ${who} (DTR, RTS, CTS, DSR, DCD, break) (${reason})`, { cause: e });
  }
  if (/not open/i.test(text)) return new HilrigError('IO_ERROR', `${path}: cannot ${what}: the port is not open`, { cause: e });
  return new HilrigError('IO_ERROR', `${path}: cannot ${what}: ${reason}`, { cause: e });
}

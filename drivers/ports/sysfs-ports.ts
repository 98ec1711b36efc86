import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { comparePorts, makePortInfo, normaliseUsbId, type PortInfo } from './port-info.js';

export interface SysfsRoots {
  /** Where sysfs is mounted; a parameter so tests can lay out a fake tree. */
  sysRoot?: string;
  /** Where device nodes live; reported paths are built under it. */
  devRoot?: string;
}

// Names that only ever exist for real hardware once they have a `device` link.
const HARDWARE_TTY = /^(ttyUSB|ttyACM|ttyAMA|ttyTHS|rfcomm)\d+$/;
// The 8250 driver pre-registers ttyS0..ttyS31 whether or not a UART is there.
const LEGACY_TTY = /^ttyS\d+$/;
// serial_core's PORT_UNKNOWN: no UART answered the probe.
const PORT_UNKNOWN = '0';

/**
 * Lists hardware serial ports from /sys/class/tty, without udev.
 * Fields that cannot be read are left out rather than failing the whole listing:
 * a half-described port is still worth showing.
 */
export async function listPortsFromSysfs(opts: SysfsRoots = {}): Promise<PortInfo[]> {
  const sysRoot = opts.sysRoot ?? '/sys';
  const devRoot = opts.devRoot ?? '/dev';
  const classDir = path.join(sysRoot, 'class', 'tty');
  const [names, byId] = await Promise.all([fs.readdir(classDir), readByIdLinks(devRoot)]);
  const ports: PortInfo[] = [];
  for (const name of names) {
    const devPath = path.join(devRoot, name);
    const info = await describeTty(sysRoot, path.join(classDir, name), name, byId.get(devPath));
    if (info) ports.push(makePortInfo({ path: devPath, byIdPath: byId.get(devPath), ...info, source: 'sysfs' }));
  }
  return ports.sort(comparePorts);
}

/**
 * Maps each device node to its /dev/serial/by-id alias. Without udev the directory
 * simply does not exist, which is an empty map, not an error.
 */
export async function readByIdLinks(devRoot = '/dev'): Promise<Map<string, string>> {
  const dir = path.join(devRoot, 'serial', 'by-id');
  const map = new Map<string, string>();
  let entries: string[];
  try {
    entries = (await fs.readdir(dir)).sort();
  } catch {
    return map;
  }
  for (const entry of entries) {
    const link = path.join(dir, entry);
    const target = await fs.readlink(link).catch(() => undefined);
    if (target === undefined) continue;
    const node = path.resolve(dir, target);
    // Sorted order keeps the choice stable when one node has several aliases.
    if (!map.has(node)) map.set(node, link);
  }
  return map;
}

type UsbFields = Omit<PortInfo, 'path' | 'byIdPath' | 'source'>;

/** Returns the USB fields of a hardware tty, or undefined when it is not a real port. */
async function describeTty(
  sysRoot: string,
  ttyDir: string,
  name: string,
  byIdPath: string | undefined,
): Promise<UsbFields | undefined> {
  // Virtual ttys (consoles, ptys, tty0..63) have no device link.
  const device = await fs.realpath(path.join(ttyDir, 'device')).catch(() => undefined);
  if (device === undefined) return undefined;
  if (LEGACY_TTY.test(name)) {
    if (byIdPath === undefined && (await isPlaceholderUart(ttyDir, device))) return undefined;
  } else if (!HARDWARE_TTY.test(name)) {
    return undefined;
  }
  const usbDir = await findUsbDevice(sysRoot, device);
  if (usbDir === undefined) return {};
  const read = (file: string): Promise<string | undefined> => readAttr(path.join(usbDir, file));
  const [vendorId, productId, serialNumber, manufacturer, product] = await Promise.all([
    read('idVendor'),
    read('idProduct'),
    read('serial'),
    read('manufacturer'),
    read('product'),
  ]);
  return {
    vendorId: normaliseUsbId(vendorId),
    productId: normaliseUsbId(productId),
    serialNumber,
    manufacturer,
    product,
  };
}

/**
 * Tells a pre-registered 8250 slot from a real UART. serial_core's `type` attribute is
 * the direct answer; kernels without it only let us guess from the driver, where a port
 * still owned by the generic serial8250 platform device is taken as a placeholder.
 */
async function isPlaceholderUart(ttyDir: string, device: string): Promise<boolean> {
  const type = await readAttr(path.join(ttyDir, 'type'));
  if (type !== undefined) return type === PORT_UNKNOWN;
  return (await hardwareDriver(device)) === 'serial8250';
}

/**
 * Since Linux 6.5 a UART's `device` is a serial-base port/ctrl pair whose driver is the
 * generic "port"; the driver that matters sits on the first ancestor outside serial-base.
 */
async function hardwareDriver(device: string): Promise<string | undefined> {
  let dir = device;
  for (let depth = 0; depth < 4; depth++) {
    const subsystem = await fs.readlink(path.join(dir, 'subsystem')).catch(() => undefined);
    if (subsystem === undefined || path.basename(subsystem) !== 'serial-base') break;
    dir = path.dirname(dir);
  }
  const driver = await fs.readlink(path.join(dir, 'driver')).catch(() => undefined);
  return driver === undefined ? undefined : path.basename(driver);
}

/**
 * Walks up from a tty's device to the USB device that owns it: idVendor sits on the
 * device, two levels above a CDC-ACM interface and three above a usb-serial port.
 */
async function findUsbDevice(sysRoot: string, device: string): Promise<string | undefined> {
  const devicesRoot = await fs.realpath(path.join(sysRoot, 'devices')).catch(() => undefined);
  if (devicesRoot === undefined) return undefined;
  for (let dir = device; dir.startsWith(devicesRoot + path.sep); dir = path.dirname(dir)) {
    if ((await readAttr(path.join(dir, 'idVendor'))) !== undefined) return dir;
  }
  return undefined;
}

/** Reads a sysfs attribute; missing or unreadable attributes are simply unknown. */
async function readAttr(file: string): Promise<string | undefined> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

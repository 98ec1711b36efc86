import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../rig/engine/errors.js';
import { comparePorts, makePortInfo, normaliseUsbId, type PortInfo } from './port-info.js';
import { listPortsFromSysfs, readByIdLinks } from './sysfs-ports.js';

export interface PortListing {
  ports: PortInfo[];
  /** Why the listing may be incomplete; for stderr, never fatal. */
  warnings: string[];
}

const FALLBACK_NOTE = 'listed ports from /sys/class/tty and /dev/serial/by-id (install udev for full details)';

/**
 * Lists serial ports without ever crashing the process.
 * serialport's Linux list() spawns `udevadm`; where that binary is missing the spawn
 * failure can take the process down, so it is only called once udevadm is known to exist.
 */
/** `searchPath` is the PATH to look for udevadm in (the CLI passes the environment's). */
export async function listPorts(searchPath: string | undefined): Promise<PortListing> {
  // Other platforms enumerate in-process (IOKit, SetupAPI), so there is nothing to guard.
  const useSerialport = process.platform !== 'linux' || (await findOnPath('udevadm', searchPath)) !== undefined;
  if (!useSerialport) return fromSysfs('udevadm not found');
  let ports: PortInfo[];
  try {
    ports = await listFromSerialport();
  } catch (e) {
    if (process.platform !== 'linux') {
      return { ports: [], warnings: [`could not list serial ports: ${describeError(e)}`] };
    }
    return fromSysfs(`udevadm listing failed (${describeError(e)})`);
  }
  if (ports.length > 0 || process.platform !== 'linux') return { ports, warnings: [] };
  // In containers udevadm is often installed with no udevd behind it: it lists nothing
  // (serialport ignores its exit code), while passed-through devices are still in sysfs.
  const fallback = await fromSysfs('udevadm reported no serial ports');
  return fallback.ports.length > 0 ? fallback : { ports, warnings: [] };
}

async function fromSysfs(reason: string): Promise<PortListing> {
  try {
    return { ports: await listPortsFromSysfs(), warnings: [`${reason}: ${FALLBACK_NOTE}`] };
  } catch (e) {
    return { ports: [], warnings: [`${reason}, and /sys/class/tty is unreadable: ${describeError(e)}`] };
  }
}

async function listFromSerialport(): Promise<PortInfo[]> {
  // Lazy: loading serialport pulls in native bindings, which only this path needs.
  const { SerialPort } = await import('serialport');
  const [found, byId] = await Promise.all([SerialPort.list(), readByIdLinks()]);
  return found
    .map((p) =>
      makePortInfo({
        path: p.path,
        byIdPath: byId.get(p.path),
        vendorId: normaliseUsbId(p.vendorId),
        productId: normaliseUsbId(p.productId),
        serialNumber: p.serialNumber,
        manufacturer: p.manufacturer,
        source: 'udev',
      }),
    )
    .sort(comparePorts);
}

/** Finds an executable on PATH by checking each entry; spawning to probe is what crashes. */
export async function findOnPath(
  command: string,
  pathEnv: string | undefined,
): Promise<string | undefined> {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      await fs.access(candidate, constants.X_OK);
      // X_OK also holds for directories, which cannot be spawned.
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}

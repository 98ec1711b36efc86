/** One serial port as `hilrig ports` reports it, whichever way it was discovered. */
export interface PortInfo {
  /** Device node, e.g. /dev/ttyACM0. */
  path: string;
  /** Stable /dev/serial/by-id/... alias: survives re-enumeration, unlike ttyACM numbering. */
  byIdPath?: string;
  /** USB ids as 4 lowercase hex digits, so udev and sysfs results compare equal. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Which enumeration produced the entry, so users know how complete the details are. */
  source: 'udev' | 'sysfs';
}

/** Normalises a USB id ("0x2341", "2341", "43") to 4 lowercase hex digits; garbage becomes undefined. */
export function normaliseUsbId(raw: string | undefined): string | undefined {
  const id = raw?.trim().replace(/^0x/i, '').toLowerCase();
  if (!id || !/^[0-9a-f]{1,4}$/.test(id)) return undefined;
  return id.padStart(4, '0');
}

/**
 * Builds a PortInfo without keys for unknown fields, so JSON output stays terse and
 * deep-equality in tests does not trip over `key: undefined`.
 */
export function makePortInfo(fields: PortInfo): PortInfo {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out as unknown as PortInfo;
}

/** Natural order, so ttyACM2 sorts before ttyACM10. */
export function comparePorts(a: PortInfo, b: PortInfo): number {
  return a.path.localeCompare(b.path, 'en', { numeric: true });
}

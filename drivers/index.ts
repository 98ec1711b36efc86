// The transports a default Manager knows, by URL scheme.
import type { Driver } from '../rig/engine/index.js';
import { serialDriver } from './serial/serial-driver.js';
import { tcpDriver } from './tcp/tcp-driver.js';
import { udpDriver } from './udp/udp-driver.js';

export const defaultDrivers: Record<string, Driver> = {
  udp: udpDriver,
  tcp: tcpDriver,
  serial: serialDriver,
};

// The package root: `import { Manager, Connection, Ev, IoBuf } from 'hilrig'`.
// Manager here is the engine's Manager with the standard transports (udp, serial, tcp) plugged in.
import { Manager as EngineManager, type ManagerOptions } from './engine/index.js';
import { defaultDrivers } from '../drivers/index.js';

export * from './engine/index.js';

export class Manager extends EngineManager {
  constructor(opts: ManagerOptions = {}) {
    super({ ...opts, drivers: { ...defaultDrivers, ...opts.drivers } });
  }
}

// Link impairment for tests and users: wrap any driver, or put a relay between two UDP peers.
export { impairDriver, type ImpairedDriver } from '../drivers/impair/impair-driver.js';
export { type ImpairOptions, parseImpairOptions } from '../drivers/impair/impair-options.js';
export { startUdpRelay } from '../drivers/impair/udp-relay.js';

// A board's console for scripts: expect / sendLine, lines to JSONL (like pytest-embedded's dut).
export { ConsoleSession, type AttachOptions } from './console/console-session.js';

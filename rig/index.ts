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

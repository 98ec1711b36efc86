// The firmware version the virtual board reports: hilrig's own version, from package.json.
import { createRequire } from 'node:module';

// compiled to dist/boards/virtual/version.js: three levels up is the package root
const pkg = createRequire(import.meta.url)('../../../package.json') as { version?: unknown };

export const FIRMWARE_VERSION: string = typeof pkg.version === 'string' ? pkg.version : '0.0.0';

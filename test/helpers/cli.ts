// The `hilrig` executable as users run it: the bundled CLI that package.json's bin names.
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../cli/bin/main.js', import.meta.url));

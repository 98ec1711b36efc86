// The registry of bug modes: every BugMode the board's services declare, checked once (names
// kebab-case and unique, each owned by the service that declares it), and the resolution of
// `--bug NAME` options, where an unknown name is an error that lists the valid ones.
import { HilrigError } from '../../rig/engine/errors.js';
import type { BoardService, BugMode } from './service.js';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export class BugRegistry {
  private readonly byName = new Map<string, BugMode>();

  /** Throws TypeError for a service list that breaks the rules: that is a firmware bug, not a user error. */
  constructor(services: readonly BoardService[]) {
    const serviceNames = new Set<string>();
    for (const s of services) {
      if (!KEBAB.test(s.name)) throw new TypeError(`service name "${s.name}" is not kebab-case`);
      if (serviceNames.has(s.name)) throw new TypeError(`two services are called "${s.name}"`);
      serviceNames.add(s.name);
      for (const b of s.bugs ?? []) {
        if (!KEBAB.test(b.name)) throw new TypeError(`bug mode "${b.name}" of service ${s.name} is not kebab-case`);
        if (b.service !== s.name) throw new TypeError(`bug mode "${b.name}" is declared by service ${s.name} but says it belongs to ${b.service}`);
        const clash = this.byName.get(b.name);
        if (clash) throw new TypeError(`bug mode "${b.name}" is declared by both ${clash.service} and ${s.name}`);
        if (b.rule.trim() === '') throw new TypeError(`bug mode "${b.name}" of service ${s.name} does not say which rule it breaks`);
        this.byName.set(b.name, b);
      }
    }
  }

  /** Every bug mode, sorted by name. */
  all(): BugMode[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): BugMode | undefined {
    return this.byName.get(name);
  }

  /** The modes named by `--bug` options; throws BAD_OPTION listing the valid names for an unknown one. */
  resolve(names: readonly string[]): BugMode[] {
    const out: BugMode[] = [];
    for (const n of names) {
      const mode = this.byName.get(n);
      if (!mode) {
        const valid = this.all().map((m) => m.name);
        const list = valid.length > 0 ? `valid bug modes: ${valid.join(', ')}` : 'this board has no bug modes';
        throw new HilrigError('BAD_OPTION', `unknown bug mode "${n}"; ${list}`);
      }
      if (!out.includes(mode)) out.push(mode);
    }
    return out;
  }

  /** `name  service: rule` lines for help texts. */
  describe(indent = '  '): string {
    const modes = this.all();
    if (modes.length === 0) return `${indent}(none)\n`;
    const width = Math.max(...modes.map((m) => m.name.length));
    return modes.map((m) => `${indent}${m.name.padEnd(width)}  ${m.service}: breaks ${m.rule}\n`).join('');
  }
}

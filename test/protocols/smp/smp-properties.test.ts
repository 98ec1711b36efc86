// The SMP codec properties at their default run counts.
import { SMP_PROPERTIES } from './smp-properties.js';

describe('SMP codec properties (fast-check)', () => {
  for (const p of SMP_PROPERTIES) {
    it(`${p.name} (${p.defaultRuns} runs)`, () => p.check(p.defaultRuns));
  }
});

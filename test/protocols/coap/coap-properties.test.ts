// The CoAP codec properties at their default run counts (about 210 000 generated cases).
import { COAP_PROPERTIES } from './coap-properties.js';

describe('CoAP codec properties (fast-check)', () => {
  for (const p of COAP_PROPERTIES) {
    it(`${p.name} (${p.defaultRuns} runs)`, () => p.check(p.defaultRuns));
  }
});

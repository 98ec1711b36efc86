// The long run of the CoAP codec properties: `node dist/test/fuzz/coap-fuzz.js [runs] [seed]`.
// 2 000 000 runs per property by default. Not a mocha spec (no .test in the name), so the
// default test run does not pick it up. A failure prints fast-check's seed and path to replay.
import { COAP_PROPERTIES } from '../protocols/coap/coap-properties.js';

const runs = Number(process.argv[2] ?? 2_000_000);
const seed = process.argv[3] === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.argv[3]);
console.log(`coap-fuzz: ${runs} runs per property, seed ${seed}`);
let failed = 0;
for (const p of COAP_PROPERTIES) {
  const t0 = performance.now();
  try {
    p.check(runs, seed);
    console.log(`ok    ${p.name}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed++;
    console.log(`FAIL  ${p.name}\n${err instanceof Error ? err.message : String(err)}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;

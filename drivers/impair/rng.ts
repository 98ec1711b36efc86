// A small seeded PRNG, so an impaired run is reproduced exactly from its seed: mulberry32
// (Tommy Ettinger's 32-bit generator, public domain) is a few integer operations per draw,
// passes the statistical tests an impairment layer needs, and needs no dependency.
import { randomInt } from 'node:crypto';

/** Uniform floats in [0, 1), 2^32 steps. */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed for one independent stream of draws, from the run's seed and the stream's coordinates
 * (link number, direction, which impairment). Separate streams keep the loss pattern of a link
 * the same when, say, jitter is switched on or traffic flows the other way too.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = seed >>> 0;
  for (const p of parts) {
    // murmur3's 32-bit finaliser over (h, p): every input bit reaches every output bit
    h = Math.imul(h ^ (p >>> 0), 0x9e3779b1) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A fresh seed for a run that did not ask for one (it is reported, so the run can be repeated). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}

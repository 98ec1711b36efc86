// What MCUboot does with the slots at boot, in swap mode: decide the swap type from the two
// trailers (boot_swap_tables in bootutil_public.c), then exchange the slots' sectors, through
// the scratch area when there is one (swap-using-scratch: scratch <- primary, primary <-
// secondary, secondary <- scratch, sector by sector), else directly.
// Only the sectors the images use are swapped (MCUboot's copy size is the larger image), plus
// the trailers, which the swap clears; the caller then writes the primary's new trailer.
// The swap runs to completion: MCUboot's swap status (resuming after a power cut mid-swap) is
// not modelled.
import type { TrailerState, SlotArea } from './boot-trailer.js';
import type { FlashOp, NorFlash } from './nor-flash.js';
import { ERASED } from './sector-store.js';

export type SwapType = 'none' | 'test' | 'perm' | 'revert';

/**
 * MCUboot's table: secondary magic good -> test (image_ok unset) or perm (image_ok set);
 * primary magic good, image_ok unset, copy_done set and secondary magic unset -> revert (a test
 * image booted and was never confirmed); anything else -> none.
 */
export function swapTypeOf(primary: TrailerState, secondary: TrailerState | undefined): SwapType {
  if (secondary?.magic === 'good') {
    if (secondary.imageOk === 'unset') return 'test';
    if (secondary.imageOk === 'set') return 'perm';
  }
  if (primary.magic === 'good' && primary.imageOk === 'unset' && primary.copyDone === 'set' && (secondary?.magic ?? 'unset') === 'unset') {
    return 'revert';
  }
  return 'none';
}

/**
 * Exchange the first `bytes` of two equal-sized slots (rounded up to sectors) and clear both
 * trailers. `trailerSize` bytes at each slot's end are not carried over.
 */
export function swapSlots(flash: NorFlash, a: SlotArea, b: SlotArea, bytes: number, trailerSize: number, scratch?: SlotArea): FlashOp {
  const ss = flash.sectorSize;
  const sectors = Math.min(Math.ceil(bytes / ss), a.size / ss);
  const trailerFrom = a.size - trailerSize;
  let ms = 0;
  for (let i = 0; i < sectors; i++) {
    const at = i * ss;
    const fromA = withoutTrailer(flash.read(a.offset + at, ss), at, trailerFrom);
    const fromB = withoutTrailer(flash.read(b.offset + at, ss), at, trailerFrom);
    if (fromA.every((x) => x === ERASED) && fromB.every((x) => x === ERASED)) continue;
    if (scratch) {
      ms += flash.erase(scratch.offset, ss).ms;
      ms += programRuns(flash, scratch.offset, fromA);
      ms += flash.erase(a.offset + at, ss).ms;
      ms += programRuns(flash, a.offset + at, fromB);
      ms += flash.erase(b.offset + at, ss).ms;
      ms += programRuns(flash, b.offset + at, flash.read(scratch.offset, ss));
    } else {
      ms += flash.erase(a.offset + at, ss).ms;
      ms += programRuns(flash, a.offset + at, fromB);
      ms += flash.erase(b.offset + at, ss).ms;
      ms += programRuns(flash, b.offset + at, fromA);
    }
  }
  ms += clearTail(flash, a, trailerSize).ms;
  ms += clearTail(flash, b, trailerSize).ms;
  return { ms };
}

/** Erase the last `tail` bytes of a slot, keeping what else their sectors hold. */
export function clearTail(flash: NorFlash, slot: SlotArea, tail: number): FlashOp {
  const ss = flash.sectorSize;
  const from = slot.size - tail;
  let ms = 0;
  for (let at = Math.floor(from / ss) * ss; at < slot.size; at += ss) {
    const now = flash.read(slot.offset + at, ss);
    const keep = withoutTrailer(now.slice(), at, from);
    if (keep.every((x, j) => x === now[j])) continue;
    ms += flash.erase(slot.offset + at, ss).ms;
    ms += programRuns(flash, slot.offset + at, keep);
  }
  return { ms };
}

/** `sector` (at slot offset `at`) with the bytes from slot offset `from` on set to erased. */
function withoutTrailer(sector: Uint8Array, at: number, from: number): Uint8Array {
  if (at + sector.length > from) sector.fill(ERASED, Math.max(0, from - at));
  return sector;
}

/** Program the write blocks of `data` that are not all erased (an erased block stays erased). */
function programRuns(flash: NorFlash, offset: number, data: Uint8Array): number {
  const w = flash.writeSize;
  let ms = 0;
  let run = -1;
  for (let at = 0; at <= data.length; at += w) {
    const blank = at === data.length || data.subarray(at, at + w).every((x) => x === ERASED);
    if (!blank && run < 0) run = at;
    if (blank && run >= 0) {
      ms += flash.write(offset + run, data.subarray(run, at)).ms;
      run = -1;
    }
  }
  return ms;
}

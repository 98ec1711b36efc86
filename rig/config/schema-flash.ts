/**
 * Flash layout of the board, as far as image upload tests need it: where
 * MCUboot's slots live and how the flash erases and writes. Numbers may be
 * written in hex (0x10000) since that is how partition tables read.
 */
import { z } from 'zod';
import { intIn } from './schema-transport.js';

const MAX_FLASH = 2 ** 32; // 32-bit address space; anything larger is a typo

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const hex = (n: number): string => `0x${n.toString(16)}`;

const pow2 = (what: string) =>
  intIn(1, MAX_FLASH, `${what}: a power of two`).refine(isPow2, {
    error: `expected ${what}: a power of two`,
  });

export const FlashSlotSchema = z.strictObject({
  /** Byte offset from the start of flash, not an absolute address. */
  offset: intIn(0, MAX_FLASH, 'a byte offset from the start of flash'),
  size: intIn(1, MAX_FLASH, 'a slot size in bytes, greater than 0'),
});
export type FlashSlot = z.output<typeof FlashSlotSchema>;

export const FlashGeometrySchema = z
  .strictObject({
    /** Total flash size in bytes. */
    size: intIn(1, MAX_FLASH, 'a flash size in bytes, greater than 0'),
    /** Erase unit. Slots must start and end on it or an erase clobbers a neighbour. */
    sectorSize: pow2('an erase sector size in bytes'),
    /** Program unit (e.g. 8 on STM32L4); uploads are padded to it. */
    writeSize: pow2('a write block size in bytes'),
    /** MCUboot slots; secondary is absent for single-slot / direct-XIP layouts. */
    slots: z.strictObject({
      primary: FlashSlotSchema,
      secondary: FlashSlotSchema.optional(),
    }),
  })
  .superRefine((f, ctx) => {
    if (f.writeSize > f.sectorSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['writeSize'],
        message: `writeSize ${f.writeSize} is larger than sectorSize ${f.sectorSize}`,
      });
    }
    const slots = Object.entries(f.slots).filter(
      (e): e is [string, FlashSlot] => e[1] !== undefined,
    );
    for (const [slot, s] of slots) {
      const end = s.offset + s.size;
      if (end > f.size) {
        ctx.addIssue({
          code: 'custom',
          path: ['slots', slot, 'size'],
          message: `slot ends at ${hex(end)}, past the end of flash (size ${hex(f.size)})`,
        });
      }
      if (s.offset % f.sectorSize !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['slots', slot, 'offset'],
          message: `offset ${hex(s.offset)} is not a multiple of sectorSize ${hex(f.sectorSize)}`,
        });
      }
      if (s.size % f.sectorSize !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['slots', slot, 'size'],
          message: `size ${hex(s.size)} is not a multiple of sectorSize ${hex(f.sectorSize)}`,
        });
      }
    }
    const [a, b] = slots;
    if (a && b && a[1].offset < b[1].offset + b[1].size && b[1].offset < a[1].offset + a[1].size) {
      ctx.addIssue({
        code: 'custom',
        path: ['slots', b[0], 'offset'],
        message: `slot ${b[0]} overlaps slot ${a[0]}`,
      });
    }
  });
export type FlashGeometry = z.output<typeof FlashGeometrySchema>;

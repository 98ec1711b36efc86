/**
 * Schema of the rig description file, rig.yaml.
 *
 * ```yaml
 * version: 1                      # file format; bumped only for incompatible changes
 * boards:                         # one entry per board on this rig
 *   nucleo-l4:                    # board name: [a-z0-9][a-z0-9_-]*, used with --board
 *     profile: stm32l4            # optional: a board profile in boards/ (quirks, expectations)
 *     transports:                 # at least one; each names exactly one way to get there
 *       console:                  #   log/shell UART, captured into the device trace
 *         serial:                 #   exactly one of path / match:
 *           path: /dev/ttyACM0    #     fixed device path, or
 *           # match: { byId: usb-SEGGER_J-Link_000123-if00 }
 *           # match: { vid: "0483", pid: "374b", serial: "0671FF..." }  (quote hex IDs)
 *           baud: 115200          #   default 115200; dataBits 8, parity none,
 *                                 #   stopBits 1, flowControl none|rtscts|xonxoff
 *       coap:                     #   CoAP server under test:
 *         udp: { host: 192.0.2.10, port: 5683 }    # or slipmux: { serial: {...} }
 *       smp:                      #   MCUmgr image upload:
 *         udp: { host: 192.0.2.10, port: 1337 }    # or serial: {...}
 *     reset: { method: none }     # default; or
 *       # { method: dtr-rts, sequence: esptool|arduino|rts-pulse|dtr-pulse, pulseMs: 100 }
 *       # { method: command, command: "openocd -f board/st_nucleo_l4.cfg -c 'reset run; exit'",
 *       #   timeoutMs: 10000 }
 *     flash:                      # optional; needed by upload tests that probe slot limits
 *       size: 0x100000            #   bytes; hex is fine
 *       sectorSize: 4096          #   erase unit, power of two; slots must align to it
 *       writeSize: 8              #   program unit, power of two
 *       slots:
 *         primary:   { offset: 0x10000, size: 0x70000 }
 *         secondary: { offset: 0x80000, size: 0x70000 }   # optional
 *     suites: [coap, upload]      # optional; omitted = every suite the transports allow
 *     timeouts: { testMs: 30000, bootMs: 5000 }          # defaults shown
 * ```
 *
 * Every object is strict: an unknown key is an error, so `buad: 9600` is
 * reported instead of silently running at 115200. YAML anchors and `<<`
 * merge keys work, which is how several identical boards share settings;
 * top-level keys starting with `x-` are ignored so anchors have a home.
 */
import { z } from 'zod';
import { FlashGeometrySchema } from './schema-flash.js';
import {
  TransportsSchema,
  intIn,
  name,
  text,
  type BoardTransports,
  type SerialEndpoint,
} from './schema-transport.js';

export * from './schema-flash.js';
export {
  SerialEndpointSchema,
  SerialMatchSchema,
  TransportsSchema,
  UdpEndpointSchema,
  NAME_RE,
  type BoardTransports,
  type CoapTransport,
  type ConsoleTransport,
  type SerialEndpoint,
  type SerialMatch,
  type SmpTransport,
  type TransportConfig,
  type UdpEndpoint,
} from './schema-transport.js';

export const ResetSchema = z.discriminatedUnion('method', [
  /** The board is never reset; tests must leave it in a usable state. */
  z.strictObject({ method: z.literal('none') }),
  /**
   * Modem lines of the console UART (or the first serial transport) drive
   * EN/BOOT as on ESP32 dev kits and Arduinos. The sequences are those of
   * esptool ("hard reset" into the application) and the Arduino IDE.
   */
  z.strictObject({
    method: z.literal('dtr-rts'),
    sequence: z.enum(['esptool', 'arduino', 'rts-pulse', 'dtr-pulse']),
    pulseMs: intIn(1, 10_000, 'a pulse length in ms, 1..10000').default(100),
  }),
  /**
   * An external tool (openocd, pyocd, nrfjprog, a USB relay script) run by
   * the shell, so quoting works as on the command line. Exit status 0 means
   * the board was reset.
   */
  z.strictObject({
    method: z.literal('command'),
    command: text('a shell command line'),
    timeoutMs: intIn(1, 600_000, 'a timeout in ms, 1..600000').default(10_000),
  }),
]);
export type ResetConfig = z.output<typeof ResetSchema>;

export const TimeoutsSchema = z.strictObject({
  /** Per test case, including its retries. */
  testMs: intIn(1, 3_600_000, 'a timeout in ms, 1..3600000').default(30_000),
  /** After reset, until the board must answer on its transports. */
  bootMs: intIn(1, 600_000, 'a timeout in ms, 1..600000').default(5_000),
});
export type Timeouts = z.output<typeof TimeoutsSchema>;

/**
 * Which transport each known suite talks over. Checked at load time so a
 * missing transport is reported against the rig file, not as a test
 * failure ten minutes into a run. Suites not listed here are not checked.
 */
export const SUITE_NEEDS: Readonly<Record<string, keyof BoardTransports>> = {
  coap: 'coap',
  upload: 'smp',
};

/** Serial ports of a board in the order dtr-rts reset looks for one. */
export function serialPorts(t: BoardTransports): { where: string; port: SerialEndpoint }[] {
  const all: { where: string; port: SerialEndpoint | undefined }[] = [
    { where: 'console.serial', port: t.console?.serial },
    { where: 'coap.slipmux.serial', port: t.coap && 'slipmux' in t.coap ? t.coap.slipmux?.serial : undefined },
    { where: 'smp.serial', port: t.smp && 'serial' in t.smp ? t.smp.serial : undefined },
  ];
  return all.filter((p): p is { where: string; port: SerialEndpoint } => p.port !== undefined);
}

export const BoardSchema = z
  .strictObject({
    profile: name('a board profile name').optional(),
    transports: TransportsSchema,
    reset: ResetSchema.default({ method: 'none' }),
    flash: FlashGeometrySchema.optional(),
    suites: z.array(name('a suite name'), { error: 'expected a list of suite names' }).optional(),
    timeouts: TimeoutsSchema.prefault({}),
  })
  .superRefine((b, ctx) => {
    const t = b.transports;
    if (!t.console && !t.coap && !t.smp) {
      ctx.addIssue({
        code: 'custom',
        path: ['transports'],
        message: 'expected at least one of console, coap, smp',
        params: { ifNoUnknownKeys: true },
      });
    }
    const ports = serialPorts(t);
    if (b.reset.method === 'dtr-rts' && ports.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['reset', 'method'],
        message: 'dtr-rts reset needs a serial transport (console, coap.slipmux or smp.serial)',
      });
    }
    checkSharedPorts(ports, ctx);
    (b.suites ?? []).forEach((suite, i) => {
      const needs = SUITE_NEEDS[suite];
      if (needs !== undefined && !t[needs]) {
        ctx.addIssue({ code: 'custom', path: ['suites', i], message: `suite "${suite}" needs transports.${needs}` });
      }
      if (b.suites?.indexOf(suite) !== i) {
        ctx.addIssue({ code: 'custom', path: ['suites', i], message: `suite "${suite}" is listed twice` });
      }
    });
  });
export type BoardConfig = z.output<typeof BoardSchema>;

/**
 * One device node opened by two transports is only workable if the runner
 * can share one handle: same line settings, and never under slipmux, which
 * already demultiplexes the console from that port.
 */
function checkSharedPorts(ports: { where: string; port: SerialEndpoint }[], ctx: z.RefinementCtx): void {
  const key = (p: SerialEndpoint) => p.path ?? JSON.stringify(p.match);
  const line = (p: SerialEndpoint) => [p.baud, p.dataBits, p.parity, p.stopBits, p.flowControl].join('/');
  ports.forEach(({ where, port }, i) => {
    const first = ports.findIndex((q) => key(q.port) === key(port));
    if (first === i) return;
    const other = ports[first];
    const path = ['transports', ...where.split('.')];
    if (where.startsWith('coap.slipmux') || other.where.startsWith('coap.slipmux')) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `same port as transports.${other.where}; slipmux already carries the console there`,
      });
    } else if (line(port) !== line(other.port)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `same port as transports.${other.where} but different line settings (${line(port)} vs ${line(other.port)})`,
      });
    }
  });
}

/**
 * Top-level keys starting with `x-` are ignored (as in docker-compose): the
 * place to park YAML anchors shared by several boards, e.g.
 * `x-stlink: &stlink { baud: 115200, flowControl: none }`.
 */
const dropExtensions = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('x-')))
    : v;

const RigShape = z
  .strictObject({
    /** Format version; only 1 exists. */
    version: z.literal(1, { error: 'expected version 1 (the only rig file format this hilrig reads)' }),
    boards: z.record(name('a board name'), BoardSchema, { error: 'expected a mapping of board names to boards' }),
  })
  .superRefine((r, ctx) => {
    if (Object.keys(r.boards).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['boards'], message: 'expected at least one board' });
    }
  });

export const RigConfigSchema = z.preprocess(dropExtensions, RigShape);
export type RigConfig = z.output<typeof RigConfigSchema>;

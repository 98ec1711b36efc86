/**
 * How the host reaches a board: serial ports, UDP endpoints, and the
 * per-role transport choices built from them. See schema.ts for the file
 * as a whole.
 *
 * Messages here are phrased "expected ..." without the offending value; the
 * loader appends `, got <value>` because only it still has the raw YAML.
 */
import { z } from 'zod';

/** Marks a refinement that only restates a typo already reported as an unknown key. */
export const IF_NO_UNKNOWN_KEYS = { ifNoUnknownKeys: true } as const;

export function intIn(min: number, max: number, what = `an integer from ${min} to ${max}`) {
  const error = `expected ${what}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function text(what: string) {
  const error = `expected ${what}`;
  return z.string({ error }).trim().min(1, { error });
}

/** Board, profile and suite names end up in file names and CLI arguments. */
export const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
export const name = (what: string) =>
  z.string({ error: `expected ${what}` }).regex(NAME_RE, {
    error: `expected ${what}: lower-case letters, digits, "-" and "_", starting with a letter or digit`,
  });

// ---------------------------------------------------------------- serial --

/** USB IDs as udev and `lsusb` print them. Must be quoted: YAML reads 0483 as the number 483. */
const usbId = z
  .string({ error: 'expected a quoted 4-digit hex USB ID such as "0483"' })
  .regex(/^[0-9a-fA-F]{4}$/, { error: 'expected a quoted 4-digit hex USB ID such as "0483"' })
  .transform((s) => s.toLowerCase());

/**
 * Finds a USB serial adapter whose /dev/tty* name changes between plug-ins
 * (cf. labgrid's USBSerialPort `match:`). All given fields must match and
 * exactly one port may match, so a rig with two identical probes fails
 * loudly instead of talking to the wrong board.
 */
export const SerialMatchSchema = z
  .strictObject({
    /** Name under /dev/serial/by-id/ (or the full path); unique per probe on Linux. */
    byId: text('a /dev/serial/by-id/ name such as "usb-SEGGER_J-Link_000123-if00"').optional(),
    /** USB vendor ID, hex. */
    vid: usbId.optional(),
    /** USB product ID, hex; only meaningful together with vid. */
    pid: usbId.optional(),
    /** USB iSerial string, the one thing telling two identical probes apart. */
    serial: text('the USB serial number string').optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.vid === undefined) !== (m.pid === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [m.vid === undefined ? 'vid' : 'pid'],
        message: 'vid and pid identify a device only together; give both',
      });
    }
    if (m.byId === undefined && m.vid === undefined && m.pid === undefined && m.serial === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected at least one of byId, vid+pid, serial',
        params: IF_NO_UNKNOWN_KEYS,
      });
    }
  });

const serialShape = {
  /** Device path: /dev/ttyACM0, /dev/serial/by-id/..., COM3. */
  path: text('a device path such as /dev/ttyACM0').optional(),
  /** Look the device up by USB identity instead of a fixed path. */
  match: SerialMatchSchema.optional(),
  /** Line rate. Anything a UART can be clocked at; USB CDC ignores it. */
  baud: intIn(1, 12_000_000, 'a positive integer baud rate up to 12000000').default(115200),
  dataBits: z.literal([5, 6, 7, 8]).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
  stopBits: z.literal([1, 1.5, 2]).default(1),
  /** rtscts for adapters wired with handshake; xonxoff is rare and breaks binary protocols like SLIP. */
  flowControl: z.enum(['none', 'rtscts', 'xonxoff']).default('none'),
};

export type SerialMatch = z.output<typeof SerialMatchSchema>;
type SerialLine = Omit<z.output<z.ZodObject<typeof serialShape>>, 'path' | 'match'>;
/** Exactly one of path or match is set; the other is absent. */
export type SerialEndpoint = SerialLine &
  ({ path: string; match?: undefined } | { match: SerialMatch; path?: undefined });

export const SerialEndpointSchema = z
  .strictObject(serialShape)
  .superRefine((s, ctx) => {
    if (s.path !== undefined && s.match !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['match'],
        message: 'path and match are both set; give exactly one of them',
      });
    } else if (s.path === undefined && s.match === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected exactly one of path or match',
        params: IF_NO_UNKNOWN_KEYS,
      });
    }
  })
  .transform((s) => s as SerialEndpoint);

// ------------------------------------------------------------------- udp --

export const UdpEndpointSchema = z.strictObject({
  /** Host name or IP literal (IPv6 without brackets). */
  host: text('a host name or IP address')
    .refine((h) => !/^\[.*\]$/.test(h), { error: 'write IPv6 addresses without [brackets] here' })
    .refine((h) => !/^[^:]+:\d+$/.test(h), { error: 'put the port in "port", not in host' })
    .refine((h) => !h.includes('://'), { error: 'expected a bare host, not a URL' }),
  /** No default: 5683 (CoAP) and 1337 (SMP) are both common, guessing hides mistakes. */
  port: intIn(1, 65535, 'a port number 1..65535'),
});
export type UdpEndpoint = z.output<typeof UdpEndpointSchema>;

// ------------------------------------------------------------ transports --

/** SLIP-framed multiplexing of console text and CoAP on one UART (RFC draft "slipmux"). */
export const SlipmuxSchema = z.strictObject({ serial: SerialEndpointSchema });

type Kinds = { serial: SerialEndpoint; udp: UdpEndpoint; slipmux: { serial: SerialEndpoint } };
/** One key of `Kinds`: a transport names exactly one way of getting there. */
type OneOf<K extends keyof Kinds> = K extends keyof Kinds ? { [P in K]: Kinds[P] } : never;

export type ConsoleTransport = OneOf<'serial'>;
export type CoapTransport = OneOf<'udp' | 'slipmux'>;
export type SmpTransport = OneOf<'udp' | 'serial'>;
export type TransportConfig = OneOf<keyof Kinds>;

/**
 * A strict object of optional kinds plus an exactly-one check, rather than a
 * zod union: a union reports "no option matched" where the user needs
 * `unknown key "upd"; did you mean "udp"?`.
 */
function oneKind<T>(kinds: Partial<{ [K in keyof Kinds]: z.ZodType<Kinds[K], unknown> }>) {
  const names = Object.keys(kinds);
  const shape = Object.fromEntries(Object.entries(kinds).map(([k, s]) => [k, s.optional()]));
  return z
    .strictObject(shape)
    .superRefine((t, ctx) => {
      const given = names.filter((k) => t[k] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            given.length === 0
              ? `expected one of ${names.join(', ')}`
              : `${given.join(' and ')} are both set; expected exactly one of ${names.join(', ')}`,
          params: given.length === 0 ? IF_NO_UNKNOWN_KEYS : undefined,
        });
      }
    })
    .transform((t) => t as T);
}

export const TransportsSchema = z.strictObject({
  /** Log/shell UART; what the runner captures into the device trace. */
  console: oneKind<ConsoleTransport>({ serial: SerialEndpointSchema }).optional(),
  /** CoAP server under test. slipmux also carries the console on the same port. */
  coap: oneKind<CoapTransport>({ udp: UdpEndpointSchema, slipmux: SlipmuxSchema }).optional(),
  /** MCUmgr/SMP for image upload (Zephyr, MCUboot); usually UDP port 1337 or a UART. */
  smp: oneKind<SmpTransport>({ udp: UdpEndpointSchema, serial: SerialEndpointSchema }).optional(),
});
export type BoardTransports = z.output<typeof TransportsSchema>;

// Serial downloads into slot 1, as bootloaders take them: U-Boot's `loadx` (XMODEM) and `loady`
// (YMODEM) shell commands. The command prints a Ready line and from then on the receiver owns
// the serial input (it claims every byte, the shell sees none) until the transfer ends, is
// cancelled or gives up; then a summary line, and the shell has the line again. The receiver is
// xmodem/xmodem-receiver.ts; the image goes into slot 1 through xmodem/upload-slot.ts, which the
// CoAP /fw resource writes too.
//
// This service also declares the bug mode of the CoAP /fw resource (coap-block1-gap-accepted):
// a bug mode must be declared by a service, a resource can only ask the CoAP service's context,
// and the CoAP service's list (coap-bugs.ts) is not this file's. At boot it is handed to the
// resource through the upload slot. Declared in coapBugModes instead, the resource could ask
// `rc.bug()` and this hand-over would go.
import type { BoardService, BugMode, ServiceContext, ShellCommand } from '../service.js';
import { type ReceiveMode, type ReceiverTiming, resolveTiming, XMODEM_RECEIVE_MODES } from '../xmodem/receive-options.js';
import { boardUploadSlot, type UploadSlot } from '../xmodem/upload-slot.js';
import { type ReceiveOutcome, XmodemReceiver } from '../xmodem/xmodem-receiver.js';

const SERVICE = 'xmodem';
const DEFAULT_LOADX_MODE: ReceiveMode = 'xmodem-1k';

export const XmodemBug = {
  BlockNumberNotChecked: 'xmodem-block-number-not-checked',
  CoapBlock1GapAccepted: 'coap-block1-gap-accepted',
} as const;

export const xmodemBugModes: readonly BugMode[] = [
  {
    name: XmodemBug.BlockNumberNotChecked,
    rule: 'ymodem.txt, XMODEM Protocol Overview: a block numbered neither the next one nor the previous one (a resend after a lost ACK) is a fatal loss of synchronization, and the receiver cancels (CAN CAN)',
    service: SERVICE,
  },
  {
    name: XmodemBug.CoapBlock1GapAccepted,
    rule: 'RFC 7959 §2.9.2: a Block1 block that does not continue the body (a NUM past the next expected one) is answered 4.08 Request Entity Incomplete (CoAP PUT /fw)',
    service: SERVICE,
  },
];

export interface XmodemServiceOptions extends Partial<ReceiverTiming> {
  /** where images go (default: the board's slot 1) */
  slot?: () => UploadSlot;
}

interface XmodemState {
  rx?: XmodemReceiver;
  mode: ReceiveMode;
}

const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const hexBytes = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The service; `options` shorten the receiver's timing for tests (a start timeout in a second). */
export function createXmodemService(options: XmodemServiceOptions = {}): BoardService {
  const { slot: slotOption, ...timingOptions } = options;
  const timing = resolveTiming(timingOptions);
  const slotOf = slotOption ?? boardUploadSlot;
  const state = (ctx: ServiceContext): XmodemState => ctx.state<XmodemState>(() => ({ mode: DEFAULT_LOADX_MODE }));

  function start(ctx: ServiceContext, mode: ReceiveMode): void {
    const slot = slotOf();
    const s = state(ctx);
    s.mode = mode;
    s.rx = new XmodemReceiver({ mode, timing, acceptAnyBlockNumber: ctx.bug(XmodemBug.BlockNumberNotChecked) }, slot, (b) => ctx.writeSerial(b), ctx.uptimeMs());
    // the first start byte goes at the next poll, after the shell's prompt has left
    const at = slot.slots.area(slot.slot).offset;
    ctx.print(`## Ready for binary (${mode}) download to slot ${slot.slot} at ${hex8(at)}, up to ${slot.capacity} bytes ...`);
  }

  const loadx: ShellCommand = {
    name: 'loadx',
    args: `[${XMODEM_RECEIVE_MODES.join('|')}]`,
    summary: `receive an image into slot 1 over XMODEM (default ${DEFAULT_LOADX_MODE}), like U-Boot's loadx`,
    run(ctx, args) {
      const mode = (args[0] ?? DEFAULT_LOADX_MODE) as ReceiveMode;
      if (args.length > 1 || !XMODEM_RECEIVE_MODES.includes(mode)) {
        ctx.print(`loadx: expected one of ${XMODEM_RECEIVE_MODES.join(', ')} (default ${DEFAULT_LOADX_MODE}), e.g. loadx xmodem-crc`);
        return;
      }
      start(ctx, mode);
    },
  };

  const loady: ShellCommand = {
    name: 'loady',
    summary: "receive an image into slot 1 over YMODEM, like U-Boot's loady",
    run(ctx, args) {
      if (args.length > 0) {
        ctx.print('loady: takes no arguments (the file name and size come in YMODEM block 0)');
        return;
      }
      start(ctx, 'ymodem');
    },
  };

  return {
    name: SERVICE,
    bugs: xmodemBugModes,
    commands: [loadx, loady],
    onBoot(ctx) {
      const slot = slotOf();
      // a reset cuts off an upload in progress, whichever path it came by
      slot.interrupt('the board was reset');
      slot.bugs.coapBlock1GapAccepted = ctx.bug(XmodemBug.CoapBlock1GapAccepted);
    },
    onSerialBytes(ctx, view) {
      const rx = state(ctx).rx;
      if (!rx) return 0;
      rx.input(view, ctx.uptimeMs());
      return view.length;
    },
    onPoll(ctx) {
      const s = state(ctx);
      const rx = s.rx;
      if (!rx) return;
      rx.poll(ctx.uptimeMs());
      if (!rx.done) return;
      s.rx = undefined;
      summarize(ctx, s.mode, rx.outcome);
    },
  };
}

/** U-Boot's closing lines, then the shell (the prompt comes back by itself after a line). */
function summarize(ctx: ServiceContext, mode: ReceiveMode, o: ReceiveOutcome | undefined): void {
  if (!o) return ctx.print(`## Aborted (${mode}): the receiver stopped without an outcome`);
  if (!o.ok) return ctx.print(`## Aborted (${mode}): ${o.reason}; ${o.bytes} bytes written to slot 1`);
  const line = (label: string, value: string): void => ctx.print(`## ${label.padEnd(16)}= ${value}`);
  if (o.name !== undefined) line('File Name', o.name);
  line('Total Size', `${hex8(o.bytes)} = ${o.bytes} Bytes`);
  line('SHA-256', hexBytes(o.sha256));
}

/** The board's loadx/loady with the default timing. */
export const xmodemService: BoardService = createXmodemService();

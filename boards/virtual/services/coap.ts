// The board's CoAP server as a service: CoAP datagrams on UDP (each peer its own endpoint) and
// CoAP in slipmux frames on the serial line, both served by the per-boot BoardCoapServer with
// the plugtest resource set. What is not CoAP is left to the services after this one (udp-echo
// for datagrams, the shell for console text).
import { nextSlipmuxItem, encodeCoapFrame } from '../../../protocols/slipmux/slipmux-codec.js';
import { isCoapDatagram } from '../coap/claim.js';
import { BoardCoapServer, type CoapServerOptions, DEFAULT_COAP_SERVER_OPTIONS } from '../coap/coap-server.js';
import { type BoardService, SERIAL_WAIT, type ServiceContext } from '../service.js';
import { coapBugModes } from './coap-bugs.js';

const SLIP_END = 0xc0;
const LF = 0x0a;
/** The peer name of CoAP over slipmux (there is one serial line). */
export const SERIAL_PEER = 'serial';

interface CoapState {
  server: BoardCoapServer;
  /** dropping the rest of an oversize frame (the splitter's `discarding` flag) */
  discarding: boolean;
}

function checkOptions(o: Partial<CoapServerOptions>): CoapServerOptions {
  const opts = { ...DEFAULT_COAP_SERVER_OPTIONS, ...o };
  for (const k of ['obsPeriodMs', 'separateDelayMs', 'maxBodyBytes'] as const) {
    if (!(Number.isFinite(opts[k]) && opts[k] > 0)) throw new TypeError(`createCoapService: ${k} must be a number > 0, got ${String(opts[k])}`);
  }
  return opts;
}

/**
 * The CoAP service; `options` change the plugtest's timing for tests (a 300 ms /obs period),
 * and each board started with this service gets them.
 */
export function createCoapService(options: Partial<CoapServerOptions> = {}): BoardService {
  const opts = checkOptions(options);
  const state = (ctx: ServiceContext): CoapState => ctx.state(() => ({ server: new BoardCoapServer(ctx, opts), discarding: false }));
  return {
    name: 'coap',
    bugs: coapBugModes,
    onBoot(ctx) {
      const s = state(ctx);
      ctx.log('inf', 'coap', `CoAP server: ${s.server.resources.length} resources, /obs every ${opts.obsPeriodMs} ms`);
    },
    onDatagram(ctx, bytes) {
      if (!isCoapDatagram(bytes)) return false;
      state(ctx).server.input(ctx.peer, bytes, (b) => ctx.reply(b));
      return true;
    },
    onSerialBytes(ctx, view) {
      const s = state(ctx);
      if (!s.discarding && view[0] !== SLIP_END) return 0;
      return serialItem(ctx, s, view);
    },
    onPoll(ctx) {
      state(ctx).server.poll();
    },
  };
}

/**
 * One slipmux item at the head of the serial input. `idle: true` because the board has no use
 * for the splitter's wait on text that might still turn out to be an IP packet: it only speaks
 * CoAP, and a shell command must not sit in the buffer until an END happens to follow it.
 */
function serialItem(ctx: ServiceContext, s: CoapState, view: Uint8Array): number {
  let ends = 0;
  while (ends < view.length && view[ends] === SLIP_END) ends++;
  // diagnostic frames go board-to-host only (draft §4): after a frame's closing END, a line feed
  // is the next console line, and holding it until some END arrives would stall the shell
  if (!s.discarding && view[ends] === LF) return ends;
  const r = nextSlipmuxItem(view, { discarding: s.discarding, idle: true });
  if (r.kind === 'incomplete') {
    // a frame still arriving; runs of END (empty frames) can go but for the last one
    return ends === view.length && ends > 1 ? ends - 1 : SERIAL_WAIT;
  }
  if (r.kind === 'malformed') {
    s.discarding = false;
    ctx.log('wrn', 'coap', `slipmux frame dropped: ${r.rule}`);
    return Math.max(1, r.skip ?? 1);
  }
  const item = r.value;
  s.discarding = item.kind === 'oversize' || item.kind === 'discarded';
  switch (item.kind) {
    case 'coap':
      s.server.input(SERIAL_PEER, item.message, (b) => ctx.writeSerial(encodeCoapFrame(b)));
      break;
    case 'text':
      // console text after a delimiter: drop the delimiters, leave the text to the shell
      return ends;
    case 'discarded':
      break;
    default:
      ctx.log('wrn', 'coap', `slipmux ${item.kind} frame dropped (this board speaks CoAP over slipmux only)`);
  }
  return Math.max(1, r.consumed);
}

/** The board's CoAP service with the plugtest's timing. */
export const coapService: BoardService = createCoapService();

// One request as the server side sees it: answer it now (piggybacked on the ACK of a CON, or a
// NON for a NON), or acknowledge it first and answer later (a separate response, RFC 7252
// §5.2.2). The endpoint decides the message types; a handler only says what to answer.
import { optionValue, type OptionValueInput } from './coap-options.js';
import type { CoapMessage } from './coap-types.js';

export interface ResponseSpec {
  code: number;
  payload?: Uint8Array | string;
  contentFormat?: number;
  options?: readonly { number: number; value: OptionValueInput }[];
  /** for a separate response: CON (default, RFC 7252 §5.2.2 recommends it) or NON */
  confirmable?: boolean;
}

export interface ExchangeSink {
  respond(x: CoapExchange, spec: ResponseSpec): void;
  acknowledge(x: CoapExchange): void;
}

export class CoapExchange {
  /** the response has been sent */
  responded = false;
  /** a CON request's empty ACK has been sent (what follows is a separate response) */
  acknowledged = false;
  /** set by the server when the handler kept the request (separate, Observe) */
  readonly receivedAt: number;

  constructor(
    readonly request: CoapMessage,
    /** 'udp://127.0.0.1:40000', or the serial port for slipmux */
    readonly peer: string,
    private readonly sink: ExchangeSink,
    now: number,
  ) {
    this.receivedAt = now;
  }

  get confirmable(): boolean {
    return this.request.type === 0;
  }

  /** Send the response (once; a second call is a programming error). */
  respond(spec: ResponseSpec): void {
    if (this.responded) throw new Error(`response to MID ${this.request.mid} already sent`);
    this.responded = true;
    this.sink.respond(this, spec);
  }

  /** Acknowledge a CON now and answer later with a separate response. No-op for NON. */
  separate(): void {
    if (!this.confirmable || this.acknowledged || this.responded) return;
    this.sink.acknowledge(this);
  }
}

/** Options of a ResponseSpec as CoapOptions, sorted and stable. */
export function specOptions(spec: ResponseSpec, contentFormatNumber: number): { number: number; value: Uint8Array }[] {
  const out = (spec.options ?? []).map((o) => ({ number: o.number, value: optionValue(o.value) }));
  if (spec.contentFormat !== undefined) out.push({ number: contentFormatNumber, value: optionValue(spec.contentFormat) });
  return out.sort((a, b) => a.number - b.number);
}

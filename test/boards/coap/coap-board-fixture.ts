// The virtual board with its CoAP server, started in-process on 127.0.0.1, and a rig-side CoAP
// client over real UDP that records every message it sees, for the board's CoAP tests.
import dgram from 'node:dgram';
import { coapService, createCoapService } from '../../../boards/virtual/services/coap.js';
import { boardServices } from '../../../boards/virtual/services/index.js';
import type { CoapServerOptions } from '../../../boards/virtual/coap/coap-server.js';
import { type RunningBoard, VirtualBoard } from '../../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { createPtyPair } from '../../../drivers/serial/pty-pair.js';
import { type Connection, Manager } from '../../../rig/index.js';
import { parseCoap } from '../../../protocols/coap/coap-codec.js';
import type { CoapEndpoint } from '../../../protocols/coap/coap-endpoint.js';
import { CoapEv, type CoapEvents, type CoapMalformedInfo, type CoapUnmatchedInfo } from '../../../protocols/coap/coap-events.js';
import type { CoapParams } from '../../../protocols/coap/coap-params.js';
import { coapEndpoint, setProtocolCoap } from '../../../protocols/coap/coap-protocol.js';
import type { CoapMessage } from '../../../protocols/coap/coap-types.js';
import { within } from '../../helpers/wait.js';

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The board's services with the CoAP service's timing changed (a short /obs period). */
export function servicesWith(coap: Partial<CoapServerOptions>) {
  return boardServices.map((s) => (s === coapService ? createCoapService(coap) : s));
}

export interface BoardOptions {
  bugs?: readonly string[];
  coap?: Partial<CoapServerOptions>;
  udp?: boolean;
  pty?: boolean;
}

export async function startBoard(o: BoardOptions = {}): Promise<RunningBoard> {
  const board = new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair(), services: servicesWith(o.coap ?? {}) });
  return board.start({ udp: o.udp === false ? false : '127.0.0.1:0', pty: o.pty, bugs: o.bugs });
}

/** A CoAP client on the rig's engine, and what it saw arrive. */
export interface Client {
  mgr: Manager;
  conn: Connection;
  ep: CoapEndpoint;
  /** every CoAP message that arrived, in order */
  inbox: CoapMessage[];
  malformed: CoapMalformedInfo[];
  unmatched: CoapUnmatchedInfo[];
}

export async function udpClient(target: string, params: Partial<CoapParams> = {}): Promise<Client> {
  const mgr = new Manager({ drivers: defaultDrivers });
  const inbox: CoapMessage[] = [];
  const malformed: CoapMalformedInfo[] = [];
  const unmatched: CoapUnmatchedInfo[] = [];
  const conn = mgr.connect<CoapEvents>(target, (_c, ev, data) => {
    if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) inbox.push(data);
    else if (ev === CoapEv.Malformed) malformed.push(data);
    else if (ev === CoapEv.Unmatched) unmatched.push(data);
  });
  setProtocolCoap(conn, { params });
  await within(conn.ready, 5000, 'the client socket');
  return { mgr, conn, ep: coapEndpoint(conn), inbox, malformed, unmatched };
}

/** A plain UDP socket for exact bytes (a duplicate, a malformed message): send, and await replies. */
export interface RawPeer {
  send(bytes: Uint8Array): void;
  next(ms?: number): Promise<Uint8Array>;
  close(): void;
}

export async function rawPeer(target: string): Promise<RawPeer> {
  const { hostname, port } = new URL(target);
  const sock = dgram.createSocket('udp4');
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  sock.on('message', (m) => {
    inbox.push(new Uint8Array(m));
    wake?.();
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    send: (b) => sock.send(b, Number(port), hostname),
    next: (ms = 5000) =>
      within(
        (async () => {
          while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
          return inbox.shift()!;
        })(),
        ms,
        'a datagram from the board',
      ),
    close: () => sock.close(),
  };
}

export function parsed(bytes: Uint8Array): CoapMessage {
  const r = parseCoap(bytes);
  if (r.kind !== 'ok') throw new Error(`not a CoAP message: ${r.kind === 'malformed' ? r.rule : r.kind}`);
  return r.value;
}

// The fallback UDP service: answers any datagram with the same bytes. Listed last, so protocol
// services (CoAP) claim their datagrams first.
import type { BoardService, BugMode } from '../service.js';

const echoTruncated: BugMode = {
  name: 'echo-truncated',
  rule: 'RFC 862 (Echo Protocol): the server sends back the data it received, all of it',
  service: 'udp-echo',
};

export const udpEchoService: BoardService = {
  name: 'udp-echo',
  bugs: [echoTruncated],
  onDatagram(ctx, bytes) {
    ctx.reply(ctx.bug(echoTruncated.name) ? bytes.subarray(0, Math.max(0, bytes.length - 1)) : bytes);
    return true;
  },
};

// The virtual board's firmware image: its services, in routing order. Serial framed-protocol
// services and UDP protocol services go before the fallbacks (udp-echo answers anything), and
// the shell, which only contributes commands, can go anywhere. Adding a protocol to the board
// is one new file in this folder and one line here.
import type { BoardService } from '../service.js';
import { coapService } from './coap.js';
import { shellService } from './shell.js';
import { smpService } from './smp.js';
import { udpEchoService } from './udp-echo.js';
import { xmodemService } from './xmodem.js';

// xmodem before the framed protocols: while a transfer runs its receiver owns every serial byte
export const boardServices: readonly BoardService[] = [shellService, xmodemService, coapService, smpService, udpEchoService];

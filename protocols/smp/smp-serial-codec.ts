// SMP over a serial console (Zephyr smp_transport.rst, "UART/serial and console"): the encoder
// (message -> frame lines) and the streaming decoder (port bytes -> text, packets, problems).
// One import for both sides; each lives in its own file.
export * from './smp-serial-encoder.js';
export * from './smp-serial-decoder.js';
export { crc16Xmodem } from './crc16-xmodem.js';

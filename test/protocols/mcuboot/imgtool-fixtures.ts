// Two images written by MCUboot's own imgtool (2.4.0, mcuboot commit 2d4bacc3), over the payload
// bytes 0x00..0x3f, so the parser is checked against the real tool and not only against our
// builder. Made with:
//   imgtool sign --header-size 0x20 --pad-header --align 4 --version 2.0.0+7 --security-counter 5 \
//     --slot-size 0x10000 --key root-ec-p256.pem payload.bin signed.bin
//   imgtool sign --header-size 0x80 --pad-header --align 4 --version 1.2.3 --slot-size 0x10000 \
//     payload.bin plain.bin
// root-ec-p256.pem is the sample key in MCUboot's repository. `imgtool verify` printed the digests.
export const IMGTOOL_PAYLOAD = Uint8Array.from({ length: 64 }, (_, i) => i);

export const IMGTOOL_SIGNED = new Uint8Array(
  Buffer.from(
    'PbjzlgAAAAAgAAwAQAAAAAAAAAACAAAABwAAAAAAAAAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/CGkMAFAABAAFAAAAB2mXABAAIADznyiCKyXsfcqfLdSZcZ2p3G7MzQQqoHl+Vjga3RuFRgEAIADjBGb2uEcMHykHCxfx4tPpTUReP2CAh/3HEeQ4K7U4tiIARwAwRQIhAMDVx3gsHkVNwnha5FswnVJk18pz8cZoM8i+OdzHMlGSAiAu0TRj89KyFJBEn7TDv8GPuczaVJq9OuhNaWqL4y3FNg==',
    'base64',
  ),
);
export const IMGTOOL_SIGNED_DIGEST = 'f39f28822b25ec7dca9f2dd499719da9dc6ecccd042aa0797e56381add1b8546';

export const IMGTOOL_PLAIN = new Uint8Array(
  Buffer.from(
    'PbjzlgAAAACAAAAAQAAAAAAAAAABAgMAAAAAAAAAAAD///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/B2koABAAIACJvrrZBOGdPEYXI7ICsbI7xAxXRhHlotClaR8V0bEqaQ==',
    'base64',
  ),
);
export const IMGTOOL_PLAIN_DIGEST = '89bebad904e19d3c461723b202b1b23bc40c574611e5a2d0a5691f15d1b12a69';

// Serial ports through the `serialport` package. Its native bindings are loaded on the first
// serial connect, not at import, so commands that never open a port never load them.
//
// How a port going away shows up (measured on Linux with socat ptys, serialport 13):
// - no read in flight (the poller waits): the poller fails, serialport closes the port itself
//   and emits one 'close' with a DisconnectedError ("bad file descriptor", `disconnected:
//   true`), no 'error';
// - a read in flight: read() returns 0 bytes, which serialport alone retries forever (see
//   hangup-aware-binding.ts); with that wrapper it is the same single 'close' with a
//   DisconnectedError ("hang-up: read returned end of file");
// - while writing: each queued write fails with EIO, the stream emits 'error' (EIO), then
//   'close' twice (the stream's own, without an argument, and serialport's, with a
//   DisconnectedError).
// Every path funnels into one PORT_VANISHED report; later events are ignored. While the
// engine has reading paused, nothing reads, so a loss is noticed on resume or on a write.
import type { SerialPort } from 'serialport';
import type { Driver, DriverContext, LinkSink, Transport } from '../../rig/engine/driver.js';
import { describeError, HilrigError } from '../../rig/engine/errors.js';
import { hangupAwareBinding } from './hangup-aware-binding.js';
import { openError, vanishedError } from './serial-errors.js';
import { serialLineControl } from './serial-line.js';
import { parseSerialUrl, type SerialSettings } from './serial-url.js';

type SerialportModule = typeof import('serialport');
type Binding = SerialportModule['SerialPort']['binding'];
let loading: Promise<{ SerialPort: SerialportModule['SerialPort']; binding: Binding }> | undefined;

function loadSerialport(): NonNullable<typeof loading> {
  loading ??= import('serialport').then(({ SerialPort }) => ({ SerialPort, binding: hangupAwareBinding(SerialPort.binding) }));
  return loading;
}

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function openOptions(s: SerialSettings, binding: Binding): ConstructorParameters<SerialportModule['SerialPort']>[0] {
  // `binding` is not in serialport's option type, but its constructor takes it (it defaults to
  // the detected binding), so it goes in through a variable rather than a literal.
  const options = {
    binding,
    path: s.path,
    baudRate: s.baudRate,
    dataBits: s.dataBits,
    parity: s.parity,
    stopBits: s.stopBits,
    rtscts: s.flow === 'rtscts',
    xon: s.flow === 'xonxoff',
    xoff: s.flow === 'xonxoff',
    autoOpen: false,
  };
  return options;
}

export const serialDriver: Driver = {
  datagram: false,

  connect(url: URL, sink: LinkSink, ctx: DriverContext): Transport {
    let port: SerialPort | undefined;
    /** close() was called: the engine wants no sink calls after this */
    let closed = false;
    /** open succeeded and was reported */
    let opened = false;
    /** a fatal failure was reported: nothing more goes to the sink */
    let failed = false;

    let settings: SerialSettings | undefined;
    try {
      settings = parseSerialUrl(url);
    } catch (e) {
      // reported after connect() returns, as every other failure is
      queueMicrotask(() => fail(e instanceof HilrigError ? e : new HilrigError('BAD_URL', describeError(e))));
    }
    const path = settings?.path ?? url.pathname;

    const fail = (err: HilrigError): void => {
      if (closed || failed) return;
      failed = true;
      sink.failed(err);
    };
    // The one place that decides a port is gone; 'error', 'close' and write callbacks all come here.
    const lost = (e: unknown): void => {
      if (opened) fail(vanishedError(path, e));
    };

    const start = async (s: SerialSettings): Promise<void> => {
      let mod: Awaited<ReturnType<typeof loadSerialport>>;
      try {
        mod = await loadSerialport();
      } catch (e) {
        throw new HilrigError('NOT_SUPPORTED', `${path}: cannot load the serialport package (native bindings for ${process.platform}-${process.arch}?): ${describeError(e)}`, { cause: e });
      }
      if (closed) return;
      let p: SerialPort;
      try {
        p = new mod.SerialPort(openOptions(s, mod.binding));
      } catch (e) {
        throw openError(path, e);
      }
      port = p;
      // Listeners stay for the port's whole life: an 'error' without a listener would throw.
      p.on('error', lost);
      p.on('close', (err?: Error | null) => lost(err ?? new Error('port closed')));
      p.open((err) => {
        if (err) return fail(openError(path, err));
        if (closed) return closePort(p);
        opened = true;
        sink.opened({ peer: path, local: '' });
        // Attached after open so the stream starts flowing only once the engine knows the port.
        p.on('data', (b: Buffer) => {
          if (!closed && !failed) sink.data(asBytes(b));
        });
      });
    };
    if (settings) start(settings).catch((e: unknown) => fail(e instanceof HilrigError ? e : openError(path, e)));

    return {
      write(bytes) {
        if (closed || failed || !port) return;
        // A copy: the stream may hold the chunk a while, and the caller may reuse its buffer.
        const chunk = Buffer.from(bytes);
        port.write(chunk, (err) => {
          if (err) return lost(err);
          if (!closed && !failed) sink.sent(chunk.length);
        });
      },
      close() {
        if (closed) return;
        closed = true;
        if (port) closePort(port);
      },
      pause() {
        port?.pause();
      },
      resume() {
        port?.resume();
      },
      line: serialLineControl(path, () => (closed || failed ? undefined : port), ctx.clock),
    };
  },
};

/** Close without letting a failure escape: the port may already be gone. */
function closePort(p: SerialPort): void {
  if (!p.isOpen) return;
  p.close(() => undefined);
}

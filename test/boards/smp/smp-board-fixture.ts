// The virtual board with its own SMP service (its own flash chip), started in-process on a socat
// pty and UDP 127.0.0.1, and the rig's SMP clients on both: the real serial driver with
// setProtocolSmpSerial, a real UDP socket with setProtocolSmpUdp. Plus an upload helper that
// sizes chunks from buf_size, as mcumgr clients do.
import { smpService, createSmpService, type SmpService, type SmpServiceOptions } from '../../../boards/virtual/services/smp.js';
import { boardServices } from '../../../boards/virtual/services/index.js';
import { type RunningBoard, VirtualBoard } from '../../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { createPtyPair } from '../../../drivers/serial/pty-pair.js';
import { type Connection, Manager } from '../../../rig/index.js';
import { parseImage, TlvType } from '../../../protocols/mcuboot/image.js';
import type { SmpMessage, SmpVersionBits } from '../../../protocols/smp/smp-header.js';
import { maxUploadData, readUpload, type UploadOptions, type UploadProgress, uploadRequest } from '../../../protocols/smp/smp-groups.js';
import { SmpEv, type SmpEvents, setProtocolSmpSerial, setProtocolSmpUdp, smpRequest } from '../../../protocols/smp/smp-protocol.js';
import { waitFor, within } from '../../helpers/wait.js';

export const BUF_SIZE = 2048;

export interface SmpBoardOptions {
  bugs?: readonly string[];
  powerCutAt?: number;
  /** SMP service options; flashTimeScale defaults to 0 here (answers at once) */
  smp?: SmpServiceOptions;
  /** a serial link (default true) */
  pty?: boolean;
  /** request timeout of the rig's clients (default 5000 ms) */
  timeoutMs?: number;
}

export interface SmpBoard {
  running: RunningBoard;
  service: SmpService;
  /** every console line the board printed, as text */
  lines: string[];
  /** console text the rig's serial SMP connection saw between frames */
  serialText(): string;
  serial: Connection;
  udp: Connection;
  rig: Manager;
  stop(): Promise<void>;
}

export async function startSmpBoard(o: SmpBoardOptions = {}): Promise<SmpBoard> {
  const service = createSmpService({ flashTimeScale: 0, ...o.smp });
  const services = boardServices.map((s) => (s === smpService ? service : s));
  const lines: string[] = [];
  const running = await new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair(), services }).start({
    udp: '127.0.0.1:0',
    pty: o.pty ?? true,
    bugs: o.bugs,
    powerCutAt: o.powerCutAt,
    onConsoleLine: (t) => lines.push(t),
  });
  const rig = new Manager({ drivers: defaultDrivers });
  let text = '';
  const timeoutMs = o.timeoutMs ?? 5000;
  const udp = rig.connect(running.endpoints.udp!, () => undefined, { label: 'rig smp udp' });
  setProtocolSmpUdp(udp, { timeoutMs });
  let serial = udp;
  if (running.endpoints.serial) {
    serial = rig.connect<SmpEvents>(
      `${running.endpoints.serial}?baud=115200`,
      (_c, ev, data) => {
        if (ev === SmpEv.Text) text += data.text;
      },
      { label: 'rig smp serial' },
    );
    setProtocolSmpSerial(serial, { timeoutMs });
  }
  await within(Promise.all([udp.ready, serial.ready]), 5000, 'the rig connections');
  return {
    running,
    service,
    lines,
    serialText: () => text,
    serial,
    udp,
    rig,
    stop: async () => {
      await rig.shutdown();
      await running.stop();
    },
  };
}

/** Wait for the board's n-th boot log line (`boot N`). */
export async function bootNumber(b: SmpBoard, n: number, timeoutMs = 5000): Promise<void> {
  await waitFor(() => b.lines.some((l) => new RegExp(`<inf> board: .*, boot ${n}$`).test(l)), `boot ${n} of the board`, timeoutMs);
}

/** A seeded MCUboot image and its SHA-256 TLV (the hash the image list shows). */
export function imageHash(bytes: Uint8Array): Uint8Array {
  const p = parseImage(bytes);
  if (p.kind !== 'ok') throw new Error('not an MCUboot image');
  const t = p.value.tlvs.find((x) => x.type === TlvType.SHA256);
  if (!t) throw new Error('no SHA-256 TLV');
  return t.value.slice();
}

export interface UploadRun {
  /** every answer, in order */
  answers: SmpMessage[];
  last: UploadProgress;
}

export interface UploadRunOptions extends UploadOptions {
  version?: SmpVersionBits;
  /** start at this offset (default 0) */
  from?: number;
  /** stop once the board has this many bytes (default: the whole file) */
  until?: number;
  /** per-request timeout */
  timeoutMs?: number;
  /** change a request's body before it goes (a wrong sha, ...) */
  edit?: (body: Record<string, unknown>, off: number) => void;
}

/** Upload `file` in chunks sized to buf_size, following the board's `off`, as mcumgr does. */
export async function upload(c: Connection, file: Uint8Array, o: UploadRunOptions = {}): Promise<UploadRun> {
  const answers: SmpMessage[] = [];
  let off = o.from ?? 0;
  const until = o.until ?? file.length;
  let last: UploadProgress = { off };
  for (let i = 0; off < until; i++) {
    if (i > 10_000) throw new Error('upload does not progress');
    const req = chunkRequest(file, off, o);
    const res = await smpRequest(c, req);
    answers.push(res);
    last = readUpload(res);
    off = last.off;
  }
  return { answers, last };
}

/** The upload request at `off` with as much data as buf_size allows. */
export function chunkRequest(file: Uint8Array, off: number, o: UploadRunOptions = {}): ReturnType<typeof uploadRequest> {
  const req = uploadRequest(file, off, maxUploadData(file, off, BUF_SIZE, o), o);
  if (o.edit) o.edit(req.body!, off);
  return { ...req, ...(o.version !== undefined ? { version: o.version } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) };
}

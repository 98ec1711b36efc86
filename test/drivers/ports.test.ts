import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listPortsFromSysfs } from '../../drivers/ports/sysfs-ports.js';
import { CLI } from '../helpers/cli.js';

// What an escaped exception or unhandled 'error' event leaves on stderr.
const CRASH_SIGNS = /Unhandled|uncaught|node:internal|^\s+at .+:\d+:\d+\)?$|^\w*Error: /m;

/** Lays out files and relative symlinks under root the way sysfs presents them. */
function build(root: string, files: Record<string, string>, links: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `${text}\n`);
  }
  for (const [rel, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.symlinkSync(target, path.join(root, rel));
  }
}

const USB = 'sys/devices/pci0000:00/0000:00:14.0/usb1';
const ACM = `${USB}/1-2/1-2:1.0/tty/ttyACM0`;
const BY_ID = 'usb-Arduino__www.arduino.cc__0043_85736323838351F0E1B1-if00';

function runCli(args: string[], pathEnv: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, PATH: pathEnv },
    encoding: 'utf8',
    timeout: 15000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('serial port discovery', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-ports-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('listPortsFromSysfs', () => {
    it('describes a CDC-ACM board from sysfs and by-id, and skips the 8250 placeholder', async () => {
      build(
        tmp,
        {
          // The root hub also has idVendor: the walk must stop at the nearest USB device.
          [`${USB}/idVendor`]: '1d6b',
          [`${USB}/idProduct`]: '0002',
          [`${USB}/1-2/idVendor`]: '2341',
          [`${USB}/1-2/idProduct`]: '0043',
          [`${USB}/1-2/serial`]: '85736323838351F0E1B1',
          [`${USB}/1-2/manufacturer`]: 'Arduino (www.arduino.cc)',
          [`${USB}/1-2/product`]: 'Arduino Uno',
          [`${ACM}/dev`]: '166:0',
          'sys/devices/platform/serial8250/tty/ttyS0/type': '0',
          'sys/bus/platform/drivers/serial8250/uevent': '',
          'sys/devices/virtual/tty/console/dev': '5:1',
        },
        {
          'sys/class/tty/ttyACM0': `../../${ACM.slice('sys/'.length)}`,
          [`${ACM}/device`]: '../../../1-2:1.0',
          'sys/class/tty/ttyS0': '../../devices/platform/serial8250/tty/ttyS0',
          'sys/devices/platform/serial8250/tty/ttyS0/device': '../../../serial8250',
          'sys/devices/platform/serial8250/driver': '../../../bus/platform/drivers/serial8250',
          'sys/class/tty/console': '../../devices/virtual/tty/console',
          [`dev/serial/by-id/${BY_ID}`]: '../../ttyACM0',
        },
      );
      const ports = await listPortsFromSysfs({ sysRoot: path.join(tmp, 'sys'), devRoot: path.join(tmp, 'dev') });
      assert.deepEqual(ports, [
        {
          path: path.join(tmp, 'dev/ttyACM0'),
          byIdPath: path.join(tmp, 'dev/serial/by-id', BY_ID),
          vendorId: '2341',
          productId: '0043',
          serialNumber: '85736323838351F0E1B1',
          manufacturer: 'Arduino (www.arduino.cc)',
          product: 'Arduino Uno',
          source: 'sysfs',
        },
      ]);
    });

    it('keeps a probed UART and drops a serial-base placeholder that has no type attribute', async () => {
      const slot = 'sys/devices/platform/serial8250/serial8250:0/serial8250:0.1';
      build(
        tmp,
        {
          'sys/devices/pnp0/00:01/tty/ttyS0/type': '4',
          [`${slot}/tty/ttyS1/dev`]: '4:65',
          'sys/bus/serial-base/drivers/port/uevent': '',
          'sys/bus/pnp/drivers/serial/uevent': '',
          'sys/bus/platform/drivers/serial8250/uevent': '',
        },
        {
          'sys/class/tty/ttyS0': '../../devices/pnp0/00:01/tty/ttyS0',
          'sys/devices/pnp0/00:01/tty/ttyS0/device': '../../../00:01',
          'sys/devices/pnp0/00:01/driver': '../../../bus/pnp/drivers/serial',
          // Linux >= 6.5 puts serial-base port/ctrl devices between the tty and the UART.
          'sys/class/tty/ttyS1': `../../${slot.slice('sys/'.length)}/tty/ttyS1`,
          [`${slot}/tty/ttyS1/device`]: '../../../serial8250:0.1',
          [`${slot}/subsystem`]: '../../../../../bus/serial-base',
          [`${slot}/driver`]: '../../../../../bus/serial-base/drivers/port',
          'sys/devices/platform/serial8250/serial8250:0/subsystem': '../../../../bus/serial-base',
          'sys/devices/platform/serial8250/driver': '../../../bus/platform/drivers/serial8250',
        },
      );
      const ports = await listPortsFromSysfs({ sysRoot: path.join(tmp, 'sys'), devRoot: path.join(tmp, 'dev') });
      assert.deepEqual(ports, [{ path: path.join(tmp, 'dev/ttyS0'), source: 'sysfs' }]);
    });
  });

  describe('hilrig ports', () => {
    // PATH is a directory holding nothing but what a test puts there, so "no udevadm" holds
    // even on hosts that have one in /usr/bin; node itself is run by absolute path.
    let noUdevadm: string;
    let fakeBin: string;
    beforeEach(() => {
      noUdevadm = path.join(tmp, 'empty-bin');
      fakeBin = path.join(tmp, 'fake-bin');
      fs.mkdirSync(noUdevadm);
      fs.mkdirSync(fakeBin);
    });
    const fakeUdevadm = (script: string): void =>
      fs.writeFileSync(path.join(fakeBin, 'udevadm'), script, { mode: 0o755 });

    it('lists ports without udevadm and without crashing', () => {
      const r = runCli(['ports'], noUdevadm);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^(PATH\s+BY-ID\s+VID:PID\s+SERIAL\s+MANUFACTURER\n|no serial ports found\n)/);
      assert.match(r.stderr, /udevadm not found: listed ports from \/sys\/class\/tty/);
      assert.doesNotMatch(r.stderr, CRASH_SIGNS);
    });

    it('prints a JSON array with --json', () => {
      const r = runCli(['ports', '--json'], noUdevadm);
      assert.equal(r.status, 0, r.stderr);
      const ports: unknown = JSON.parse(r.stdout);
      assert.ok(Array.isArray(ports));
      for (const p of ports as Array<Record<string, unknown>>) {
        assert.equal(typeof p['path'], 'string');
        assert.equal(p['source'], 'sysfs');
      }
      assert.doesNotMatch(r.stderr, CRASH_SIGNS);
    });

    it('uses udevadm through serialport when one is on PATH', () => {
      // Output in the shape of `udevadm info -e`, which serialport parses.
      const db = [
        'P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/tty/ttyACM7',
        'N: ttyACM7',
        'E: DEVNAME=/dev/ttyACM7',
        'E: ID_VENDOR_ENC=Arduino\\x20\\x28www.arduino.cc\\x29',
        'E: ID_SERIAL_SHORT=85736323838351F0E1B1',
        'E: ID_VENDOR_ID=2341',
        'E: ID_MODEL_ID=43',
        '',
      ].join('\n');
      // printf is a shell builtin: the fake PATH has no cat.
      fakeUdevadm(`#!/bin/sh\nprintf '%s' '${db}'\n`);
      const r = runCli(['ports', '--json'], fakeBin);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.deepEqual(JSON.parse(r.stdout), [
        {
          path: '/dev/ttyACM7',
          vendorId: '2341',
          productId: '0043',
          serialNumber: '85736323838351F0E1B1',
          manufacturer: 'Arduino (www.arduino.cc)',
          source: 'udev',
        },
      ]);
    });

    it('falls back to sysfs with a warning when udevadm cannot be run', () => {
      // Passes the PATH check but fails at spawn: the failure that used to kill the process.
      fakeUdevadm('#!/nonexistent/interpreter\n');
      const r = runCli(['ports', '--json'], fakeBin);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Array.isArray(JSON.parse(r.stdout)));
      assert.match(r.stderr, /udevadm listing failed \(.*ENOENT.*\): listed ports from \/sys\/class\/tty/);
      assert.doesNotMatch(r.stderr, CRASH_SIGNS);
    });

    it('double-checks sysfs when udevadm lists nothing', () => {
      fakeUdevadm('#!/bin/sh\nexit 3\n');
      const r = runCli(['ports', '--json'], fakeBin);
      const fromSysfs = runCli(['ports', '--json'], noUdevadm);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), JSON.parse(fromSysfs.stdout));
      const warned = /udevadm reported no serial ports: listed ports from \/sys\/class\/tty/.test(r.stderr);
      // The warning is only due when sysfs had something udev missed.
      assert.equal(warned, JSON.parse(r.stdout).length > 0, r.stderr);
      assert.doesNotMatch(r.stderr, CRASH_SIGNS);
    });

    it('rejects an unknown option with exit code 2, naming it', () => {
      const r = runCli(['ports', '--bogus'], noUdevadm);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /unknown option '--bogus'/);
      assert.match(r.stderr, /hilrig ports --help/);
      assert.equal(r.stdout, '');
    });
  });
});

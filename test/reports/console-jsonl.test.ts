import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeLine } from '../../protocols/console/line-codec.js';
import { ConsoleJsonlWriter, isoMicros } from '../../reports/trace/console-jsonl.js';

describe('console JSONL writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-jsonl-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('formats ISO-8601 timestamps with microseconds', () => {
    assert.equal(isoMicros(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456Z');
    assert.equal(isoMicros(5_000n), '1970-01-01T00:00:00.000005Z');
  });

  it('writes one object per line as it happens, with hex only for lines that are not UTF-8', async () => {
    const file = path.join(dir, 'console.jsonl');
    const w = ConsoleJsonlWriter.open(file);
    w.write(makeLine(new TextEncoder().encode('\u001b[0m<inf> ok\ttab\u0000'), 'crlf'), 1_700_000_000_000_001_000n, 'nucleo');
    // on disk by the next turn of the event loop, before close: a killed run keeps what it saw
    await new Promise((r) => setImmediate(r));
    assert.equal(fs.readFileSync(file, 'utf8').split('\n').length, 2);
    w.test = 'coap/get';
    w.write(makeLine(new Uint8Array([0x62, 0xff]), 'lf'), 1_700_000_000_000_002_000n, 'nucleo');
    w.close();
    w.write(makeLine(new Uint8Array([0x78]), 'lf'), 0n, 'ignored after close');

    const text = fs.readFileSync(file, 'utf8');
    const rows = text.trimEnd().split('\n');
    assert.equal(rows.length, 2);
    assert.ok(rows[0]!.includes('\\u001b[0m<inf> ok\\ttab\\u0000'), `control characters escaped: ${rows[0]}`);
    assert.deepEqual(JSON.parse(rows[0]!), { ts: '2023-11-14T22:13:20.000001Z', tsNs: '1700000000000001000', board: 'nucleo', text: '\u001b[0m<inf> ok\ttab\u0000' });
    assert.deepEqual(JSON.parse(rows[1]!), { ts: '2023-11-14T22:13:20.000002Z', tsNs: '1700000000000002000', board: 'nucleo', text: 'b\uFFFD', test: 'coap/get', hex: '62ff' });
  });

  it('appends to an existing file', () => {
    const file = path.join(dir, 'console.jsonl');
    fs.writeFileSync(file, '{"earlier":true}\n');
    const w = ConsoleJsonlWriter.open(file);
    w.write(makeLine(new TextEncoder().encode('later'), 'lf'), 0n, 'b');
    w.close();
    assert.deepEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((r) => Object.keys(JSON.parse(r) as object)[0]), ['earlier', 'ts']);
  });
});

// Progress output, on an injected clock: the lines a CI log gets (one per 10 %, with rate and
// ETA) and the bar a terminal gets (redrawn in place, at most every 100 ms, ended with a newline).
import assert from 'node:assert/strict';
import { barProgress, formatBytes, formatEta, lineProgress, progressFor } from '../../rig/upload/progress.js';

function sink(isTTY = false): { text: string; write(t: string): void; isTTY: boolean } {
  const o = { text: '', isTTY, write: (t: string) => void (o.text += t) };
  return o;
}

describe('upload progress', () => {
  it('formats bytes and ETAs', () => {
    assert.deepEqual([0, 1023, 1024, 1536, 1024 * 1024, 5.5 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '1.0 MiB', '5.50 GiB']);
    assert.deepEqual([0, 42.4, 185, 3725, Infinity].map(formatEta), ['0s', '42s', '3m05s', '1h02m', '--']);
  });

  it('lines: one per 10 % reached, with rate and ETA; none between', () => {
    let now = 0;
    const out = sink();
    const p = lineProgress(out, () => now);
    p.start(1000 * 1024);
    for (let done = 0; done <= 1000 * 1024; done += 25 * 1024) {
      now = (done / 1024) * 10; // 100 KiB/s
      p.update(done);
    }
    p.end();
    const lines = out.text.trimEnd().split('\n');
    assert.equal(lines[0], 'upload: 1000.0 KiB');
    assert.equal(lines.length, 11);
    assert.equal(lines[1], 'upload: 10% (100.0 KiB of 1000.0 KiB, 100.0 KiB/s, ETA 9s)');
    assert.equal(lines[10], 'upload: 100% (1000.0 KiB of 1000.0 KiB, 100.0 KiB/s)');
  });

  it('lines: a resumed transfer says where it resumes, and counts the rate from there', () => {
    let now = 0;
    const out = sink();
    const p = lineProgress(out, () => now);
    p.start(100_000, 50_000);
    now = 1000;
    p.update(60_000);
    assert.equal(out.text, 'upload: 97.7 KiB, resuming at 48.8 KiB (50%)\nupload: 60% (58.6 KiB of 97.7 KiB, 9.8 KiB/s, ETA 4s)\n');
  });

  it('bar: redrawn in place at most every 100 ms, always at the end, and a note does not break it', () => {
    let now = 0;
    const out = sink(true);
    const p = barProgress(out, () => now);
    p.start(4096);
    now = 10;
    p.update(1024); // too soon: not drawn
    now = 200;
    p.update(2048);
    p.note('smp: resuming');
    now = 210;
    p.update(4096); // the end is always drawn
    p.end();
    const frames = out.text.split('\r').filter((f) => f.startsWith('['));
    assert.equal(frames.length, 4, JSON.stringify(out.text));
    assert.match(frames[1]!, /^\[#{12}\.{12}\] {2}50% {2}2\.0 KiB\/4\.0 KiB {2}10\.0 KiB\/s {2}ETA 0s\x1b\[K/);
    assert.ok(out.text.includes('\r\x1b[Ksmp: resuming\n'));
    assert.ok(out.text.endsWith('100%  4.0 KiB/4.0 KiB  19.0 KiB/s  ETA 0s\x1b[K\n'));
  });

  it('auto: a bar on a terminal, lines elsewhere; none keeps the notes', () => {
    const tty = sink(true);
    progressFor('auto', tty).start(10);
    assert.ok(tty.text.startsWith('\r['));
    const log = sink(false);
    progressFor('auto', log).start(10);
    assert.equal(log.text, 'upload: 10 B\n');
    const quiet = sink(true);
    const q = progressFor('none', quiet);
    q.start(10);
    q.update(10);
    q.note('smp: link lost');
    assert.equal(quiet.text, 'smp: link lost\n');
  });
});

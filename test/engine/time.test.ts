// Time is injected: timers, Poll and the connection's deadlines run on the manager's clock, so
// protocol timing is tested in virtual milliseconds.
import assert from 'node:assert/strict';
import { Ev, Manager, ScaledClock, VirtualClock, type Timer } from '../../rig/index.js';

describe('engine time', () => {
  it('Ev.Timer and Ev.Poll fire on the virtual clock, with its now, and not before', async () => {
    const clock = new VirtualClock(1000);
    const mgr = new Manager({ clock, pollMs: 100 });
    const seen: string[] = [];
    const l = mgr.listen('udp://127.0.0.1:0', (c, ev, data) => {
      if (ev === Ev.Poll) seen.push(`Poll@${data.now}`);
      if (ev === Ev.Timer) seen.push(`Timer:${data.timer.tag}@${data.now}`);
    });
    await l.ready;
    l.addTimer(250, { tag: 'retransmit' });
    const every = l.addTimer(150, { tag: 'tick', repeat: true });
    clock.advance(99);
    assert.deepEqual(seen, []);
    clock.advance(401);
    assert.deepEqual(seen, [
      'Poll@1100',
      'Timer:tick@1150',
      'Poll@1200',
      'Timer:retransmit@1250',
      'Poll@1300',
      'Timer:tick@1300',
      'Poll@1400',
      'Timer:tick@1450',
      'Poll@1500',
    ]);
    l.cancelTimer(every);
    seen.length = 0;
    clock.advance(300);
    assert.deepEqual(seen, ['Poll@1600', 'Poll@1700', 'Poll@1800']);
    await mgr.shutdown();
    assert.equal(clock.scheduled, 0, 'shutdown leaves no timer behind');
  });

  it("a connection's timers die with it", async () => {
    const clock = new VirtualClock();
    const mgr = new Manager({ clock, pollMs: 0 });
    const fired: Timer[] = [];
    const l = mgr.listen('udp://127.0.0.1:0', (_c, ev, data) => {
      if (ev === Ev.Timer) fired.push(data.timer);
    });
    await l.ready;
    l.addTimer(10);
    l.close();
    await l.closed;
    clock.advance(100);
    assert.equal(fired.length, 0);
    await mgr.shutdown();
  });

  it('a scaled clock runs timers faster than real time by its factor', async () => {
    const clock = new ScaledClock(50);
    const mgr = new Manager({ clock, pollMs: 0 });
    const started = performance.now();
    await new Promise<void>((resolve) => mgr.addTimer(1000, () => resolve()));
    const realMs = performance.now() - started;
    assert.ok(realMs < 500, `1000 clock-ms at ×50 took ${realMs.toFixed(0)} real ms`);
    assert.ok(clock.now() >= 1000);
    await mgr.shutdown();
  });
});

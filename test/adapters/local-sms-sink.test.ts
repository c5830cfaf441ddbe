import { describe, expect, it } from 'vitest';
import { LocalSmsOptOuts } from '../../functions/adapters/local/opt-outs.ts';
import { LocalSmsSink } from '../../functions/adapters/local/sms-sink.ts';
import { RejectedMessageError, type SmsMessage, ThrottledError } from '../../functions/ports/sms.ts';

const MIDNIGHT = Date.parse('2026-11-11T00:00:00+08:00');

function fakeClock(start: number) {
  let now = start;
  return {
    now: () => now,
    set: (value: number) => {
      now = value;
    },
  };
}

function sms(i: number): SmsMessage {
  return {
    phone: `+86138${String(i).padStart(8, '0')}`,
    text: `【示例旗舰店】双11零点开抢 ${i} 回T退订`,
    tags: { campaignId: 'd11-2026', waveId: 'midnight', sendId: 'midnight-sms-g01', customerId: `c${i}` },
  };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe('LocalSmsSink', () => {
  it('accepts at most ratePerSecond messages in a clock second and throttles the rest like SNS', async () => {
    // Prepare
    const clock = fakeClock(MIDNIGHT + 999);
    const sink = new LocalSmsSink({ ratePerSecond: 3, clock });

    // Act: 5 sends in second 0, then the clock reaches the next second.
    const first = [];
    for (let i = 0; i < 5; i += 1) first.push(await outcome(sink.send(sms(i))));
    clock.set(MIDNIGHT + 1000);
    const next = await outcome(sink.send(sms(5)));

    // Assess
    expect(first.slice(0, 3)).toEqual([
      { messageId: 'local-sms-000001' },
      { messageId: 'local-sms-000002' },
      { messageId: 'local-sms-000003' },
    ]);
    expect(first[3]).toBeInstanceOf(ThrottledError);
    expect(first[4]).toBeInstanceOf(ThrottledError);
    expect(next).toEqual({ messageId: 'local-sms-000004' });
    const summary = sink.summary();
    expect(summary.count).toBe(4);
    expect(summary.throttled).toBe(2);
    expect(summary.maxPerSecond).toBe(3);
    expect(summary.perSecond).toEqual([
      { second: MIDNIGHT / 1000, count: 3 },
      { second: MIDNIGHT / 1000 + 1, count: 1 },
    ]);
  });

  it('does not reopen a full second when the clock steps back', async () => {
    // Prepare
    const clock = fakeClock(MIDNIGHT);
    const sink = new LocalSmsSink({ ratePerSecond: 1, clock });
    await sink.send(sms(1));
    clock.set(MIDNIGHT + 1500);
    await sink.send(sms(2));

    // Act
    clock.set(MIDNIGHT + 200);
    const again = await outcome(sink.send(sms(3)));

    // Assess
    expect(again).toBeInstanceOf(ThrottledError);
    expect(sink.summary().maxPerSecond).toBe(1);
  });

  it('concurrent sends never exceed the rate', async () => {
    // Prepare
    const clock = fakeClock(MIDNIGHT);
    const sink = new LocalSmsSink({ ratePerSecond: 20, clock });

    // Act
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome(sink.send(sms(i)))));

    // Assess
    expect(results.filter((result) => result instanceof ThrottledError)).toHaveLength(30);
    expect(sink.messages()).toHaveLength(20);
  });

  it('records the registered template id the sender names, and none when it names none', async () => {
    // Prepare
    const sink = new LocalSmsSink({ ratePerSecond: undefined, clock: fakeClock(MIDNIGHT) });

    // Act
    await sink.send({ ...sms(1), templateId: 'SMS_123456789' });
    await sink.send(sms(2));

    // Assess
    expect(sink.messages().map((message) => message.templateId)).toEqual(['SMS_123456789', undefined]);
    expect('templateId' in (sink.messages()[1] ?? {}), 'no key for a message without a template').toBe(false);
  });

  it('records accepted messages in order with phone, text, tags and the clock time', async () => {
    // Prepare
    const clock = fakeClock(MIDNIGHT);
    const sink = new LocalSmsSink({ ratePerSecond: undefined, clock });

    // Act
    for (let i = 0; i < 1000; i += 1) {
      clock.set(MIDNIGHT + i);
      await sink.send(sms(i));
    }

    // Assess: unlimited accepts everything
    const messages = sink.messages();
    expect(messages).toHaveLength(1000);
    expect(messages[0]).toEqual({
      messageId: 'local-sms-000001',
      phone: '+8613800000000',
      text: '【示例旗舰店】双11零点开抢 0 回T退订',
      tags: { campaignId: 'd11-2026', waveId: 'midnight', sendId: 'midnight-sms-g01', customerId: 'c0' },
      at: MIDNIGHT,
    });
    expect(messages[999]?.at).toBe(MIDNIGHT + 999);
    expect(sink.summary()).toMatchObject({
      count: 1000,
      maxPerSecond: 1000,
      firstAt: MIDNIGHT,
      lastAt: MIDNIGHT + 999,
    });
  });

  it('refuses a number that is not E.164, or an opted-out one, for good', async () => {
    // Prepare
    const optOuts = new LocalSmsOptOuts(['+8613900000009']);
    const sink = new LocalSmsSink({ ratePerSecond: 10, clock: fakeClock(MIDNIGHT), isOptedOut: (p) => optOuts.has(p) });

    // Act
    const invalid = await outcome(sink.send({ ...sms(1), phone: '13800138000' }));
    const optedOut = await outcome(sink.send({ ...sms(1), phone: '+8613900000009' }));

    // Assess
    expect(invalid).toBeInstanceOf(RejectedMessageError);
    expect(optedOut).toBeInstanceOf(RejectedMessageError);
    expect(sink.messages()).toHaveLength(0);
    expect(sink.summary().rejected).toBe(2);
  });

  it('clear() forgets messages and the rate window, message ids keep counting', async () => {
    // Prepare
    const sink = new LocalSmsSink({ ratePerSecond: 1, clock: fakeClock(MIDNIGHT) });
    await sink.send(sms(1));

    // Act
    sink.clear();
    const after = await sink.send(sms(2));

    // Assess
    expect(after).toEqual({ messageId: 'local-sms-000002' });
    expect(sink.messages()).toHaveLength(1);
  });
});

describe('LocalSmsOptOuts', () => {
  it('lists the given numbers and those added later, as a copy', async () => {
    // Prepare
    const optOuts = new LocalSmsOptOuts(['+8613800000001']);
    const before = await optOuts.list();

    // Act
    optOuts.optOut('+8613800000002');
    const after = await optOuts.list();

    // Assess
    expect([...before]).toEqual(['+8613800000001']);
    expect([...after]).toEqual(['+8613800000001', '+8613800000002']);
  });
});

import { describe, expect, it } from 'vitest';
import { ByteBudget } from './memory-budget.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('ByteBudget', () => {
  it('holds buffers within the budget, first come first served; one larger than the budget runs alone', async () => {
    const b = new ByteBudget(100);
    const order: string[] = [];
    const r60 = await b.acquire(60);
    const p50 = b.acquire(50).then((r) => (order.push('50'), r));
    const p10 = b.acquire(10).then((r) => (order.push('10'), r)); // fits now, but waits behind 50: no starvation
    await tick();
    expect(order).toEqual([]);
    r60();
    r60(); // giving back twice counts once
    const [r50, r10] = await Promise.all([p50, p10]);
    expect(order).toEqual(['50', '10']);
    const big = b.acquire(500).then((r) => (order.push('500'), r));
    await tick();
    expect(order).toHaveLength(2);
    r50();
    r10();
    (await big)();
    expect(b.peakBytes).toBe(500);
    expect(await b.use(30, async () => 'done')).toBe('done');
  });
});

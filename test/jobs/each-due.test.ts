import { describe, expect, it } from 'vitest';
import { eachDue } from '../../src/jobs/types';

describe('a job works on its due items a few at a time', () => {
  it('counts what it acted on, and never runs more than its concurrency at once', async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const acted = await eachDue(
      items,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        return i % 2 === 0;
      },
      8,
    );
    expect(acted).toBe(25);
    expect(most).toBe(8);
  });

  it('tries every item when one fails, then reports the first failure', async () => {
    const seen: number[] = [];
    await expect(
      eachDue([1, 2, 3, 4, 5], async (i) => {
        seen.push(i);
        if (i === 2) throw new Error('item 2 failed');
        if (i === 4) throw new Error('item 4 failed');
        return true;
      }),
    ).rejects.toThrow('item 2 failed');
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('nothing due: nothing runs', async () => {
    expect(await eachDue([], async () => true)).toBe(0);
  });
});

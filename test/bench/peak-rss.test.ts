import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The memory row's peak: a burst that comes and goes between two readings, inside one turn of the loop (so no
// 50 ms sample can see it), must still be in the next reading where Linux keeps the high-water mark.
describe('peak RSS for the bench', () => {
  it.runIf(process.platform === 'linux')(
    'keeps a peak that no sample saw, and starts again at each reading',
    () => {
      const script = `
      import { peakRss } from './scripts/peak-rss.ts';
      const MB = 1024 * 1024;
      const peak = peakRss();
      const before = peak.take();
      let burst = Buffer.allocUnsafe(96 * MB).fill(1);
      const during = process.memoryUsage().rss;
      burst = undefined;
      globalThis.gc();
      const after = process.memoryUsage().rss;
      const first = peak.take();
      const second = peak.take();
      console.log(JSON.stringify({ before, during, after, first, second, MB }));
    `;
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: process.cwd(),
          encoding: 'utf8',
          timeout: 15_000,
        },
      );
      expect(run.stderr).toBe('');
      const { during, after, first, second, MB } = JSON.parse(run.stdout);
      // The burst was resident, and gone again before the reading.
      expect(during - after).toBeGreaterThan(64 * MB);
      expect(first.how).toBe('kernel');
      expect(first.bytes).toBeGreaterThanOrEqual(during);
      // Each reading starts the mark again: the next one no longer holds the burst.
      expect(second.how).toBe('kernel');
      expect(second.bytes).toBeLessThan(first.bytes - 64 * MB);
    },
  );
});

// The peak resident memory of this process between two readings, for the bench's memory row.
import { readFileSync, writeFileSync } from 'node:fs';

/** The peak RSS since the last reading, and whether the kernel measured it or samples did. */
export interface PeakRss {
  bytes: number;
  how: 'kernel' | 'sampled';
}

/** How each kind of reading is described in the bench's notes. */
export const PEAK_HOW: Record<PeakRss['how'], string> = {
  kernel: "the kernel's high-water mark, VmHWM, from the first measured run to the last",
  sampled: 'sampled every 50 ms',
};

const kernelPeak = (): number | undefined => {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

/** Resets `VmHWM` to the current RSS; false where the kernel keeps no such mark or refuses. */
const resetKernelPeak = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts measuring at once; each `take()` answers the peak since the start or the last `take()`. Where Linux
 * keeps the process's high-water mark (`VmHWM`, reset through `clear_refs`), that is the answer, and no peak
 * between two samples escapes it; elsewhere RSS is sampled every `sampleMs`.
 */
export function peakRss(sampleMs = 50): { take(): PeakRss } {
  if (resetKernelPeak() && kernelPeak() !== undefined) {
    return {
      take() {
        const bytes = Math.max(kernelPeak() ?? 0, process.memoryUsage().rss);
        resetKernelPeak();
        return { bytes, how: 'kernel' };
      },
    };
  }
  let peak = process.memoryUsage().rss;
  setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, sampleMs).unref();
  return {
    take() {
      const bytes = Math.max(peak, process.memoryUsage().rss);
      peak = process.memoryUsage().rss;
      return { bytes, how: 'sampled' };
    },
  };
}

import { analysisJobs } from './analysis';
import { correctionJobs } from './correction';
import { noticeJobs } from './notices';
import { cardRenewalJob } from './renewal';
import type { Job } from './types';

/** Every scheduled job tick runs, in order. */
export const jobs: Job[] = [...noticeJobs, ...correctionJobs, ...analysisJobs, cardRenewalJob];

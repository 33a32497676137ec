import type { Job } from './types';

/** Art. 13 notice follow-ups and decision-deadline reminders (filled in by the deliberation work). */
export const noticeJobs: Job[] = [];

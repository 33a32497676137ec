import type { Job } from './types';

/** Art. 15–16 correction reminders, overdue reminders and escalations. */
export const correctionJobs: Job[] = [];

import { analysisJobs } from './analysis';
import { caseStepsJob } from './case-steps';
import { correctionReminderJob } from './correction';
import { decisionReminderJob, noticeFollowUpJob } from './notices';
import { cardRenewalJob } from './renewal';
import type { Job } from './types';

/**
 * Art. 13's notice follow-ups and arts. 15–16's correction reminders over the same cases: a case due for both
 * (a determination whose notice is not yet acknowledged, under an order near its deadline) is read once and
 * changed in one unit. Each still reports under its own name.
 */
export const caseFollowUpJob = caseStepsJob('case.follow_ups', [noticeFollowUpJob, correctionReminderJob]);

/** Every scheduled job tick runs, in order. */
export const jobs: Job[] = [caseFollowUpJob, decisionReminderJob, ...analysisJobs, cardRenewalJob];

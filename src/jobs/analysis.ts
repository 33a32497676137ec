import type { Job } from './types';

/** Art. 17 frequent-error risk warnings, the weekly digest and the holiday-data warning. */
export const analysisJobs: Job[] = [];

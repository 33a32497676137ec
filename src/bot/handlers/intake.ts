import type { Feature } from './types';

export const intakeFeature: Feature = { name: 'intake' };

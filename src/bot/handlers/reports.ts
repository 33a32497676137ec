import type { Feature } from './types';

export const reportsFeature: Feature = { name: 'reports' };

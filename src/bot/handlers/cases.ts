import type { Feature } from './types';

export const casesFeature: Feature = { name: 'cases' };

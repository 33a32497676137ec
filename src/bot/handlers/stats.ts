import type { Feature } from './types';

export const statsFeature: Feature = { name: 'stats' };

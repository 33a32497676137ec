import type { Feature } from './types';

export const correctionFeature: Feature = { name: 'correction' };

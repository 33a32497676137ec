import type { Feature } from './types';

export const setupFeature: Feature = { name: 'setup' };

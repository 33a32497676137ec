import type { Feature } from './types';

export const deliberationFeature: Feature = { name: 'deliberation' };

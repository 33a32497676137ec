import { casesFeature } from './handlers/cases';
import { deliberationFeature } from './handlers/deliberation';
import { intakeFeature } from './handlers/intake';
import { setupFeature } from './handlers/setup';
import type { Feature } from './handlers/types';

/** In order: commands first, the intake's free-text capture last, then the help card. */
export const features: Feature[] = [setupFeature, casesFeature, deliberationFeature, intakeFeature];

import { casesFeature } from './handlers/cases';
import { correctionFeature } from './handlers/correction';
import { deadLettersFeature } from './handlers/dead-letters';
import { deliberationFeature } from './handlers/deliberation';
import { documentsFeature } from './handlers/documents';
import { holidaysFeature } from './handlers/holidays';
import { intakeFeature } from './handlers/intake';
import { reportsFeature } from './handlers/reports';
import { setupFeature } from './handlers/setup';
import { statsFeature } from './handlers/stats';
import type { Feature } from './handlers/types';

/** In order: commands first, the guided conversations' free-text capture last, then the help card. */
export const features: Feature[] = [
  setupFeature,
  deadLettersFeature,
  holidaysFeature,
  casesFeature,
  deliberationFeature,
  correctionFeature,
  statsFeature,
  documentsFeature,
  reportsFeature,
  intakeFeature,
];

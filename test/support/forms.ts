import { defaultPolicy } from '../../src/policy';

/** The findings form as an investigator fills it for a 第十条第（四）项 case meeting all three conditions. */
export function findingsFormFor(note: string): Record<string, unknown> {
  return {
    items_9: [],
    items_10: ['10.4'],
    items_11: [],
    items_12: [],
    cond_1: 'yes',
    cond_2: 'yes',
    cond_3: 'yes',
    ...Object.fromEntries(defaultPolicy.factors.map((f) => [`factor_${f.id}`, `经核查，${f.name}情况清楚`])),
    outcome: 'exempt',
    error_category: 'procedure',
    enforcement_area: 'shelter_maintenance',
    note,
  };
}

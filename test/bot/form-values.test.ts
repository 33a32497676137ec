import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listOf, textOf } from '../../src/bot/shared/form-values';

// What the handlers read fields with before: zod schemas that catch. The plain functions must agree.
const textSchema = z.string().catch('');
const listSchema = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v ? [v] : []))
  .catch([]);

describe('form fields read as text and lists', () => {
  it('give what the catching schemas gave, for any value a form or click could carry', () => {
    const scalar = fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.constant(''),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const value = fc.oneof(
      scalar,
      fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 2 }), scalar, { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(textOf(v)).toEqual(textSchema.parse(v));
        expect(listOf(v)).toEqual(listSchema.parse(v));
      }),
      { numRuns: 2000 },
    );
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documents } from '../../db/schema';
import { defaultPolicy, formatDocumentNumber } from '../../src/policy';
import { retryOnConflict, type Store } from '../../src/store';
import { claimDocumentNumbers, insertDocument } from '../../src/store/repo-documents';
import { storeFactories } from '../support/stores';

describe.each(storeFactories)('文号 on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(() => dispose());

  /** One issuing: claim the numbers and record the documents in one commit, deciding again on a lost race. */
  const issue = (year: number, count: number, now: Date, tag: string) =>
    retryOnConflict(async () => {
      const { seqs, writes } = await claimDocumentNumbers(store.db, year, count, now);
      await store.commit([
        ...writes,
        ...seqs.map((seq, i) =>
          insertDocument(
            store.db,
            {
              id: `${tag}_${i}`,
              caseId: tag,
              kind: 'decision',
              number: { text: formatDocumentNumber(defaultPolicy, year, seq), year, seq },
              fileName: 'x.docx',
              fileType: 'doc',
              bytes: new Uint8Array([1, 2, 3]),
              sha256: 'h',
            },
            now,
          ),
        ),
      ]);
      return seqs;
    });

  it('are sequential per year and unique when many are issued at once', async () => {
    const now = new Date(Date.UTC(2026, 2, 2, 2));
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => issue(2026, 1 + (i % 2), now, `c${i}`)),
    );
    const seqs = claims.flat().sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    // Each issuing got a consecutive block: 决定书 and 告知书 of one case are neighbours.
    for (const c of claims) expect(c).toEqual(Array.from({ length: c.length }, (_, i) => c[0]! + i));
    const rows = await store.db.select({ number: documents.number }).from(documents);
    expect(new Set(rows.map((r) => r.number)).size).toBe(18);
    expect(rows.map((r) => r.number)).toContain('兴国动容〔2026〕18号');
    // A new year starts again at 1; the old year's numbers are never reused.
    expect(await issue(2027, 1, now, 'next')).toEqual([1]);
    expect(await issue(2026, 1, now, 'late')).toEqual([19]);
  });
});

import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { messageRefs } from '../../db/schema';
import { prefixRange, startsWith } from '../../src/store/prefix';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { tempDbPath } from '../support/stores';

describe('refs by prefix', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  it('finds exactly the refs that start with the prefix, through the primary key, with ids holding _ and %', async () => {
    store = openSqliteStore(tempDbPath());
    const refs = [
      'application:case_1',
      'application:case_1#2',
      'application:case_1@u:ou_a~x',
      'application:case_10#1',
      'application:caseX1#1',
      'application:case_1$',
      'reportcard:r_1@ou_b',
      'reportcard:r%1@ou_c',
      'Application:case_1#3',
    ];
    await store.commit(
      refs.map((ref) => store!.db.insert(messageRefs).values({ ref, messageId: `om_${ref}`, updatedAt: 1 })),
    );
    const under = async (prefix: string) =>
      (
        await store!.db
          .select({ ref: messageRefs.ref })
          .from(messageRefs)
          .where(startsWith(messageRefs.ref, prefix))
      )
        .map((r) => r.ref)
        .sort();
    expect(await under('application:case_1#')).toEqual(['application:case_1#2']);
    expect(await under('application:case_1@')).toEqual(['application:case_1@u:ou_a~x']);
    expect(await under('reportcard:r_1@')).toEqual(['reportcard:r_1@ou_b']);
    expect(await under('reportcard:r%1@')).toEqual(['reportcard:r%1@ou_c']);
    const plan = store.db.all<{ detail: string }>(
      sql`explain query plan select ref from message_refs where ${startsWith(messageRefs.ref, 'application:case_1#')}`,
    ) as unknown as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH message_refs USING .*INDEX/);
  });

  it('raises the last character, not half of it, when the prefix ends outside the basic plane', () => {
    expect(prefixRange('list:todo:')).toEqual({ from: 'list:todo:', below: 'list:todo;' });
    expect(prefixRange('名\u{1F600}')).toEqual({ from: '名\u{1F600}', below: '名\u{1F601}' });
  });
});

import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asEventEnvelope,
  asMessageEvent,
  eventEnvelopeSchema,
  jsonDepthWithin,
  MAX_JSON_DEPTH,
  messageEventSchema,
  parseBotAdded,
  parseCardAction,
  parseLegacyCardAction,
  parseMenu,
  parseMessageEvent,
  parseP2pEntered,
} from '../../src/lark/envelope';
import { FIXTURES_DIR, fixture, vectors } from './fixtures';

const event = (name: string) => fixture(name).event;

describe('eventEnvelopeSchema', () => {
  const envelopes = readdirSync(FIXTURES_DIR).filter(
    (f) => f.endsWith('.json') && !['crypto-vectors.json', 'url_verification.json'].includes(f),
  );

  it.each(envelopes)('accepts %s and keeps it untouched', (name) => {
    const raw = fixture(name);
    const parsed = eventEnvelopeSchema.safeParse(raw);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(raw);
  });

  it('refuses envelopes without an event id, event type, event or schema 2.0', () => {
    const raw = fixture('im.message.receive_v1.p2p-text.json');
    const { event_id: _, ...noId } = raw.header;
    expect(eventEnvelopeSchema.safeParse({ ...raw, header: noId }).success).toBe(false);
    expect(eventEnvelopeSchema.safeParse({ ...raw, header: { ...raw.header, event_type: 1 } }).success).toBe(
      false,
    );
    expect(eventEnvelopeSchema.safeParse({ ...raw, event: undefined }).success).toBe(false);
    expect(eventEnvelopeSchema.safeParse({ ...raw, schema: '1.0' }).success).toBe(false);
    expect(eventEnvelopeSchema.safeParse(fixture('url_verification.json')).success).toBe(false);
  });

  it.each(envelopes)('the hot-path check accepts %s as it is', (name) => {
    const raw = fixture(name);
    expect(asEventEnvelope(raw)).toBe(raw);
  });

  it('the hot-path check and the schema give the same answer on generated envelopes', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.constant(''),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    );
    // Mostly well-formed, each part sometimes replaced by anything: both answers come up often.
    const mostly = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: value });
    const optional = fc.option(mostly(fc.string()), { nil: undefined });
    const header = fc.record(
      {
        event_id: mostly(fc.string({ minLength: 1 })),
        event_type: mostly(fc.string({ minLength: 1 })),
        create_time: optional,
        token: optional,
        app_id: optional,
        tenant_key: optional,
        extra: value,
      },
      { requiredKeys: ['event_id', 'event_type'] },
    );
    const envelope = fc.record(
      {
        schema: mostly(fc.constant('2.0')),
        header: mostly(header),
        event: mostly(fc.dictionary(fc.string(), value, { maxKeys: 3 })),
        type: value,
      },
      { requiredKeys: ['schema', 'header', 'event'] },
    );
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(envelope, value), (v) => {
        const ok = eventEnvelopeSchema.safeParse(v).success;
        seen[ok ? 'accepted' : 'refused']++;
        expect(asEventEnvelope(v) !== null).toBe(ok);
      }),
      { numRuns: 3000 },
    );
    // Both answers were exercised, not only refusals.
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });
});

describe('the JSON depth limit', () => {
  it('counts nesting, not brackets: wide is fine, deep is refused, brackets in strings do not nest', () => {
    const nested = (depth: number, inner: unknown = 1): unknown =>
      depth === 0 ? inner : depth % 2 ? [nested(depth - 1, inner)] : { k: nested(depth - 1, inner) };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 200 }),
        fc.string({ maxLength: 30 }),
        (depth, width, noise) => {
          const wide = Array.from({ length: width }, () => ({ a: [] }));
          const text = JSON.stringify({ wide, noise: `${noise}{{[[`, deep: nested(depth) });
          // The object and `deep` itself add one level each around `nested`'s.
          expect(jsonDepthWithin(text)).toBe(depth + 1 <= MAX_JSON_DEPTH);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('the hot-path message check', () => {
  it("gives the schema's answer on generated message events, and the same message", () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string({ maxLength: 3 }),
      fc.constant(''),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 }), { maxKeys: 2 }),
    );
    const mostly = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 15, arbitrary: good }, { weight: 1, arbitrary: value });
    const optional = <T>(a: fc.Arbitrary<T>) => fc.option(mostly(a), { nil: undefined });
    const mention = fc.record(
      {
        key: mostly(fc.constantFrom('@_user_1', '@_user_2')),
        id: optional(fc.record({ open_id: optional(fc.constantFrom('ou_m1', '')) }, { requiredKeys: [] })),
        name: optional(fc.string({ maxLength: 3 })),
      },
      { requiredKeys: ['key'] },
    );
    const message = fc.record(
      {
        message_id: mostly(fc.constantFrom('om_1', 'om_2', '')),
        chat_id: mostly(fc.constantFrom('oc_1', 'oc_2', '')),
        chat_type: mostly(fc.constantFrom('p2p', 'group')),
        message_type: mostly(fc.constantFrom('text', 'post', 'file', 'image')),
        content: mostly(fc.constantFrom('{"text":"帮助"}', '{"text":"@_user_1 举报"}', '{}', 'nope')),
        mentions: optional(fc.array(mostly(mention), { maxLength: 3 })),
        extra: value,
      },
      { requiredKeys: ['message_id', 'chat_id', 'chat_type', 'message_type', 'content'] },
    );
    const sender = fc.record(
      {
        sender_id: mostly(fc.record({ open_id: mostly(fc.constantFrom('ou_s', '')), union_id: value })),
        sender_type: optional(fc.constant('user')),
      },
      { requiredKeys: ['sender_id'] },
    );
    const event = fc.record({ sender: mostly(sender), message: mostly(message) }, { requiredKeys: [] });
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof({ weight: 8, arbitrary: event }, { weight: 1, arbitrary: value }), (v) => {
        const schema = messageEventSchema.safeParse(v);
        seen[schema.success ? 'accepted' : 'refused']++;
        expect(asMessageEvent(v) !== null).toBe(schema.success);
        // What the message reads from the event is what the schema's copy holds.
        if (schema.success) expect(parseMessageEvent(v)).toEqual(parseMessageEvent(schema.data));
      }),
      { numRuns: 4000 },
    );
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  });
});

describe('parseMessageEvent', () => {
  it('reads a direct text message', () => {
    expect(parseMessageEvent(event('im.message.receive_v1.p2p-text.json'))).toEqual({
      messageId: 'om_5ce6d572455d361153b7cb51da133945',
      chatId: 'oc_5ad11d72b830411d72b836c20',
      chatType: 'p2p',
      senderOpenId: 'ou_84aad35d084aa403a838cf73ee18467',
      senderType: 'user',
      kind: 'text',
      text: '申请容错',
      mentions: [],
    });
  });

  it('strips mention placeholders from group text and lists the mentions', () => {
    const msg = parseMessageEvent(event('im.message.receive_v1.group-mention.json'));
    expect(msg?.chatType).toBe('group');
    expect(msg?.chatId).toBe('oc_5ad573a6411d72b8305fda3a9c15c70e');
    expect(msg?.text).toBe('党组成员');
    expect(msg?.mentions).toEqual([
      { key: '@_user_1', openId: 'ou_bot_example', name: '容错纠错助手' },
      { key: '@_user_2', openId: 'ou_member_a', name: '王书记' },
      { key: '@_user_3', openId: 'ou_member_b', name: '李成员' },
    ]);
  });

  it('reads a file message', () => {
    const msg = parseMessageEvent(event('im.message.receive_v1.file.json'));
    expect(msg).toMatchObject({
      kind: 'file',
      text: '',
      file: { fileKey: 'file_v3_00ab_1234', fileName: '现场执法记录.pdf' },
    });
  });

  it('reads a video (media) message as a file, named 视频 when it has no name', () => {
    const base = event('im.message.receive_v1.file.json');
    const media = (content: object) => ({
      ...base,
      message: { ...base.message, message_type: 'media', content: JSON.stringify(content) },
    });
    expect(
      parseMessageEvent(
        media({
          file_key: 'file_v3_mp4',
          image_key: 'img_cover',
          file_name: '执法记录仪.mp4',
          duration: 3000,
        }),
      ),
    ).toMatchObject({
      kind: 'file',
      file: { fileKey: 'file_v3_mp4', fileName: '执法记录仪.mp4' },
    });
    expect(parseMessageEvent(media({ file_key: 'file_v3_mp4b' }))).toMatchObject({
      kind: 'file',
      file: { fileKey: 'file_v3_mp4b', fileName: '视频' },
    });
  });

  it('reads an image message', () => {
    const msg = parseMessageEvent(event('im.message.receive_v1.image.json'));
    expect(msg).toMatchObject({ kind: 'image', text: '', imageKey: 'img_v3_00ab_5678' });
    expect(msg?.file).toBeUndefined();
  });

  it('flattens a rich-text post into lines', () => {
    const msg = parseMessageEvent(event('im.message.receive_v1.post.json'));
    expect(msg).toMatchObject({ kind: 'post', text: '情况经过：\n11月20日夜间联合检查……' });
  });

  it('flattens a locale-wrapped post with a title, links and mentions', () => {
    const base = event('im.message.receive_v1.post.json');
    const content = {
      zh_cn: {
        title: '补充材料',
        content: [
          [
            { tag: 'at', user_id: '@_user_1', user_name: '王书记' },
            { tag: 'text', text: ' 请看 ' },
            { tag: 'a', text: '链接', href: 'https://example.invalid' },
          ],
          [{ tag: 'img', image_key: 'img_x' }],
        ],
      },
    };
    const msg = parseMessageEvent({
      ...base,
      message: { ...base.message, content: JSON.stringify(content) },
    });
    expect(msg?.text).toBe('补充材料\n请看 链接');
  });

  it('treats unknown message types and broken content as other', () => {
    const base = event('im.message.receive_v1.p2p-text.json');
    expect(
      parseMessageEvent({ ...base, message: { ...base.message, message_type: 'sticker' } }),
    ).toMatchObject({
      kind: 'other',
      text: '',
    });
    expect(parseMessageEvent({ ...base, message: { ...base.message, content: '{not json' } })?.text).toBe('');
  });

  it('returns null for something that is not a message event', () => {
    expect(parseMessageEvent(event('im.chat.member.bot.added_v1.json'))).toBeNull();
    expect(parseMessageEvent(null)).toBeNull();
  });
});

describe('card actions', () => {
  it('reads a button click', () => {
    expect(parseCardAction(event('card.action.trigger.button.json'))).toEqual({
      operatorOpenId: 'ou_3c14f3a59eaf2825dbe25359f15291a5',
      token: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d5a2d7b',
      value: { a: 'vote', case: 'c_01J9', v: 'exempt' },
      tag: 'button',
      name: 'vote_exempt',
      messageId: 'om_574d639e4a44e4dd646eaf628e2f4b58',
      chatId: 'oc_e4d2605ca917e695f54f11aaf56271',
    });
  });

  it('reads a form submit with every field', () => {
    const action = parseCardAction(event('card.action.trigger.form.json'));
    expect(action?.value).toEqual({ a: 'intake.next', step: 'basics' });
    expect(action?.formValue).toEqual({
      title: '夜间联合检查中临机处置文书瑕疵',
      occurred: '2026-11-20 +0800',
      unit: 'u1',
      kind: 'inspection',
      items: ['10.4', '11.1'],
      agree: true,
      investigator: 'ou_investigator_example',
    });
    expect(action?.name).toBe('submit');
  });

  it('reads select, input and checker actions', () => {
    const base = event('card.action.trigger.button.json');
    const select = parseCardAction({ ...base, action: { tag: 'select_static', option: 'u2' } });
    expect(select).toMatchObject({ tag: 'select_static', option: 'u2', value: {} });
    const input = parseCardAction({ ...base, action: { tag: 'input', input_value: '说明' } });
    expect(input?.inputValue).toBe('说明');
    const checker = parseCardAction({
      ...base,
      action: { tag: 'checker', checked: true, value: { a: 'x' } },
    });
    expect(checker).toMatchObject({ checked: true, value: { a: 'x' } });
  });

  it('returns null without an operator or an action', () => {
    const base = event('card.action.trigger.button.json');
    expect(parseCardAction({ ...base, operator: {} })).toBeNull();
    expect(parseCardAction({ ...base, action: undefined })).toBeNull();
  });

  it('reads an old-style card callback', () => {
    expect(parseLegacyCardAction(JSON.parse(vectors.oldCardCallback.body))).toEqual({
      operatorOpenId: 'ou_x',
      token: 'c-x',
      value: { a: 'vote' },
      tag: 'button',
      messageId: 'om_x',
    });
    expect(parseLegacyCardAction({ action: {} })).toBeNull();
  });
});

describe('chat and menu events', () => {
  it('reads a direct chat being opened', () => {
    expect(parseP2pEntered(event('im.chat.access_event.bot_p2p_chat_entered_v1.json'))).toEqual({
      chatId: 'oc_5ad11d72b830411d72b836c20',
      openId: 'ou_84aad35d084aa403a838cf73ee18467',
    });
    expect(parseP2pEntered({ chat_id: 'oc' })).toBeNull();
  });

  it('reads the bot being added to a group', () => {
    expect(parseBotAdded(event('im.chat.member.bot.added_v1.json'))).toEqual({
      chatId: 'oc_5ad573a6411d72b8305fda3a9c15c70e',
      operatorOpenId: 'ou_84aad35d084aa403a838cf73ee18467',
      name: '党组群',
    });
    expect(parseBotAdded({ chat_id: 'oc_only' })).toEqual({ chatId: 'oc_only' });
    expect(parseBotAdded({})).toBeNull();
  });

  it('reads a bot menu click', () => {
    expect(parseMenu(event('application.bot.menu_v6.json'))).toEqual({
      eventKey: 'apply',
      operatorOpenId: 'ou_84aad35d084aa403a838cf73ee18467',
    });
    expect(parseMenu({ event_key: 'apply' })).toBeNull();
  });
});

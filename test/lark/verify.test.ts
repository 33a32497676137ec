import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AESCipher } from '@larksuiteoapi/node-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptPayload, encryptPayload } from '../../src/lark/crypto';
import { type VerifyOptions, type VerifyResult, verifyRequest } from '../../src/lark/verify';
import { fixture, fixtureText, headerLookup, NOW_MS, vectors } from './fixtures';

const KEY = vectors.event.encryptKey;
const TOKEN = 'v_token_example';
const OPTS: VerifyOptions = { encryptKey: KEY, verificationToken: TOKEN };
const SECRETS = [KEY, TOKEN];

/** Independent of src/lark/crypto: AES-256-CBC with key SHA-256(encryptKey), iv prepended, base64. */
function encryptIndependently(plaintext: string, encryptKey: string, iv = randomBytes(16)): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(Buffer.from(plaintext, 'utf8')), cipher.final()]).toString(
    'base64',
  );
}

function sign(body: string, timestamp: string, nonce = 'n0nce', encryptKey = KEY): Record<string, string> {
  const signature = createHash('sha256')
    .update(timestamp + nonce + encryptKey)
    .update(body)
    .digest('hex');
  return {
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': signature,
  };
}

/** An encrypted, correctly signed request for a plaintext payload. */
function signedRequest(payload: unknown, timestamp = String(NOW_MS / 1000)) {
  const body = JSON.stringify({ encrypt: encryptIndependently(JSON.stringify(payload), KEY) });
  return { body, headers: sign(body, timestamp) };
}

function verify(body: string | Uint8Array, headers: Record<string, string>, nowMs = NOW_MS, opts = OPTS) {
  return verifyRequest(body, headerLookup(headers), nowMs, opts);
}

function expectRefused(result: VerifyResult, status: 400 | 401 | 413): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.status).toBe(status);
  for (const secret of SECRETS) expect(result.reason).not.toContain(secret);
  expect(result.reason).not.toContain('ajls384kdjx98XX');
}

const p2p = fixture('im.message.receive_v1.p2p-text.json');
const challengeFixture = fixture('url_verification.json');

describe('verifyRequest with the crypto vectors', () => {
  it('accepts the signed, encrypted vector and yields the plaintext envelope', () => {
    const result = verify(vectors.event.body, vectors.event.headers);
    // The text is the plaintext as it was encrypted (the SDK's own cipher decrypts it the same), not the
    // envelope written out again: that is what the inbox records.
    const plaintext = new AESCipher(KEY).decrypt(JSON.parse(vectors.event.body).encrypt);
    expect(result).toEqual({ ok: true, inbound: { kind: 'event', envelope: p2p, text: plaintext } });
    expect(JSON.parse(plaintext)).toEqual(p2p);
  });

  it('yields a plaintext body as its text when no encrypt key is set', () => {
    const body = `{ "schema": "2.0",\n  "header": ${JSON.stringify(p2p.header)}, "event": ${JSON.stringify(p2p.event)} }`;
    const result = verify(body, {}, NOW_MS, { verificationToken: p2p.header.token });
    expect(result).toEqual({ ok: true, inbound: { kind: 'event', envelope: p2p, text: body } });
  });

  it('accepts the vector as raw bytes too', () => {
    const result = verify(new TextEncoder().encode(vectors.event.body), vectors.event.headers);
    expect(result.ok && result.inbound.kind).toBe('event');
  });

  it('refuses a tampered body, even one that is the same JSON with different bytes', () => {
    const flipped = vectors.event.body.replace('AAECAwQF', 'AAECAwQG');
    expectRefused(verify(flipped, vectors.event.headers), 401);
    const reformatted = JSON.stringify(JSON.parse(vectors.event.body), null, 1);
    expectRefused(verify(reformatted, vectors.event.headers), 401);
  });

  it('refuses any single changed character in the body', () => {
    const body = vectors.event.body;
    fc.assert(
      fc.property(fc.nat({ max: body.length - 1 }), (i) => {
        const replacement = body[i] === 'A' ? 'B' : 'A';
        const result = verify(body.slice(0, i) + replacement + body.slice(i + 1), vectors.event.headers);
        return !result.ok;
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a tampered signature', () => {
    const sig = vectors.event.headers['x-lark-signature']!;
    const bad = { ...vectors.event.headers, 'x-lark-signature': (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1) };
    expectRefused(verify(vectors.event.body, bad), 401);
    expectRefused(verify(vectors.event.body, { ...vectors.event.headers, 'x-lark-signature': 'short' }), 401);
  });

  it('refuses a tampered nonce or timestamp header (they are signed)', () => {
    expectRefused(verify(vectors.event.body, { ...vectors.event.headers, 'x-lark-request-nonce': '1' }), 401);
    expectRefused(
      verify(vectors.event.body, { ...vectors.event.headers, 'x-lark-request-timestamp': '1764300001' }),
      401,
    );
  });

  it('accepts skew up to the tolerance and refuses stale and future timestamps', () => {
    expect(verify(vectors.event.body, vectors.event.headers, NOW_MS + 300_000).ok).toBe(true);
    expect(verify(vectors.event.body, vectors.event.headers, NOW_MS - 300_000).ok).toBe(true);
    expectRefused(verify(vectors.event.body, vectors.event.headers, NOW_MS + 301_000), 401);
    expectRefused(verify(vectors.event.body, vectors.event.headers, NOW_MS - 301_000), 401);
    const tight = { ...OPTS, toleranceSec: 10 };
    expectRefused(verify(vectors.event.body, vectors.event.headers, NOW_MS + 11_000, tight), 401);
  });

  it('refuses a non-numeric timestamp', () => {
    const { body, headers } = signedRequest(p2p, 'yesterday');
    expectRefused(verify(body, headers), 401);
  });

  it('refuses missing signature headers on a normal event', () => {
    expectRefused(verify(vectors.event.body, {}), 401);
    const { 'x-lark-signature': _, ...withoutSignature } = vectors.event.headers;
    expectRefused(verify(vectors.event.body, withoutSignature), 401);
  });

  it('refuses a plaintext body when an encrypt key is set', () => {
    const body = fixtureText('im.message.receive_v1.p2p-text.json');
    expectRefused(verify(body, sign(body, vectors.event.headers['x-lark-request-timestamp']!)), 401);
  });
});

describe('verifyRequest refusals', () => {
  it('refuses a wrong or missing verification token', () => {
    const wrong = { ...p2p, header: { ...p2p.header, token: 'someone_else' } };
    let req = signedRequest(wrong);
    expectRefused(verify(req.body, req.headers), 401);
    const { token: _, ...headerWithoutToken } = p2p.header;
    req = signedRequest({ ...p2p, header: headerWithoutToken });
    expectRefused(verify(req.body, req.headers), 401);
  });

  it('refuses malformed JSON with 400', () => {
    expectRefused(verify('{"encrypt":', vectors.event.headers), 400);
    expectRefused(verify('[1,2]', vectors.event.headers), 400);
    expectRefused(verify(new Uint8Array([0x7b, 0xff, 0x7d]), vectors.event.headers), 400);
    expectRefused(verify('not json', {}, NOW_MS, { verificationToken: TOKEN }), 400);
  });

  it('refuses an oversized body with 413 before looking at it', () => {
    const big = `{"encrypt":"${'A'.repeat(1024 * 1024)}"}`;
    expectRefused(verify(big, vectors.event.headers), 413);
    expectRefused(
      verify(vectors.event.body, vectors.event.headers, NOW_MS, { ...OPTS, maxBodyBytes: 100 }),
      413,
    );
  });

  it('answers 400 when a signed body does not decrypt', () => {
    const body = JSON.stringify({ encrypt: Buffer.alloc(20, 1).toString('base64') });
    expectRefused(verify(body, sign(body, String(NOW_MS / 1000))), 400);
    const otherKey = JSON.stringify({ encrypt: encryptIndependently('{"schema":"2.0"}', 'another-key') });
    expectRefused(verify(otherKey, sign(otherKey, String(NOW_MS / 1000))), 400);
  });

  it('answers 400 for a signed envelope that fails the schema', () => {
    const req = signedRequest({ schema: '2.0', header: { token: TOKEN, event_type: 'x' }, event: {} });
    expectRefused(verify(req.body, req.headers), 400);
    const v1 = signedRequest({ uuid: 'u', token: TOKEN, type: 'event_callback', event: {} });
    expectRefused(verify(v1.body, v1.headers), 400);
  });
});

describe('URL verification', () => {
  const encrypted = JSON.stringify({ encrypt: encryptIndependently(JSON.stringify(challengeFixture), KEY) });

  it('accepts a signed challenge', () => {
    expect(verify(encrypted, sign(encrypted, String(NOW_MS / 1000)))).toEqual({
      ok: true,
      inbound: { kind: 'challenge', challenge: 'ajls384kdjx98XX' },
    });
  });

  it('accepts a challenge without signature headers only when its token matches', () => {
    expect(verify(encrypted, {})).toEqual({
      ok: true,
      inbound: { kind: 'challenge', challenge: 'ajls384kdjx98XX' },
    });
    const wrongToken = JSON.stringify({
      encrypt: encryptIndependently(JSON.stringify({ ...challengeFixture, token: 'nope' }), KEY),
    });
    expectRefused(verify(wrongToken, {}), 401);
    expectRefused(verify(encrypted, {}, NOW_MS, { encryptKey: KEY }), 401);
  });

  it('never lets a headerless event through, even with the right token', () => {
    const body = JSON.stringify({ encrypt: encryptIndependently(JSON.stringify(p2p), KEY) });
    expectRefused(verify(body, {}), 401);
    const garbage = JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString('base64') });
    expectRefused(verify(garbage, {}), 401);
  });

  it('accepts a plaintext challenge when no encrypt key is set, checking the token', () => {
    const body = fixtureText('url_verification.json');
    const opts = { verificationToken: TOKEN };
    expect(verify(body, {}, NOW_MS, opts)).toEqual({
      ok: true,
      inbound: { kind: 'challenge', challenge: 'ajls384kdjx98XX' },
    });
    expectRefused(verify(body, {}, NOW_MS, { verificationToken: 'other' }), 401);
  });
});

describe('without an encrypt key', () => {
  const opts = { verificationToken: TOKEN };

  it('accepts a plaintext envelope with the right token and refuses a wrong one', () => {
    const body = fixtureText('card.action.trigger.button.json');
    const result = verify(body, {}, NOW_MS, opts);
    expect(result.ok && result.inbound.kind === 'event' && result.inbound.envelope.header.event_type).toBe(
      'card.action.trigger',
    );
    expectRefused(verify(body, {}, NOW_MS, { verificationToken: 'other' }), 401);
  });

  it('answers 400 to an encrypted body it cannot decrypt', () => {
    expectRefused(verify(vectors.event.body, vectors.event.headers, NOW_MS, opts), 400);
  });
});

describe('old-style card callbacks', () => {
  const { body, headers, verificationToken } = vectors.oldCardCallback;
  const legacyOpts = { verificationToken };

  it('accepts the SHA-1 signed vector, with or without an encrypt key configured', () => {
    const expected = { ok: true, inbound: { kind: 'legacy_card', body: JSON.parse(body) } };
    expect(verify(body, headers, NOW_MS, legacyOpts)).toEqual(expected);
    expect(verify(body, headers, NOW_MS, { ...legacyOpts, encryptKey: KEY })).toEqual(expected);
  });

  it('refuses a tampered body, a bad signature, stale time, missing headers or a wrong token', () => {
    expectRefused(verify(body.replace('vote', 'veto'), headers, NOW_MS, legacyOpts), 401);
    expectRefused(verify(body, { ...headers, 'x-lark-signature': '0'.repeat(40) }, NOW_MS, legacyOpts), 401);
    expectRefused(verify(body, headers, NOW_MS + 3_600_000, legacyOpts), 401);
    expectRefused(verify(body, {}, NOW_MS, legacyOpts), 401);
    expectRefused(verify(body, headers, NOW_MS, { verificationToken: 'other' }), 401);
    expectRefused(verify(body, headers, NOW_MS, { encryptKey: KEY }), 401);
  });
});

describe('payload decryption', () => {
  const sdk = new AESCipher(KEY);

  it('the vector decrypts to the p2p fixture with our code and with the SDK', () => {
    const encrypt = JSON.parse(vectors.event.body).encrypt as string;
    const plaintext = fixtureText(vectors.event.plaintextFile).replace(/\n$/, '');
    expect(decryptPayload(encrypt, KEY)).toBe(plaintext);
    expect(sdk.decrypt(encrypt)).toBe(plaintext);
    const iv = Buffer.from(vectors.event.ivHex, 'hex');
    expect(encryptPayload(plaintext, KEY, iv)).toBe(encrypt);
  });

  it('payloads encrypted independently decrypt identically with our code and the SDK', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (text, iv) => {
          const encrypted = encryptIndependently(text, KEY, Buffer.from(iv));
          return decryptPayload(encrypted, KEY) === text && sdk.decrypt(encrypted) === text;
        },
      ),
      { numRuns: 100 },
    );
  });

  it('decrypts exactly as a CBC decipher does, whatever the bytes: same text, or refused alike', () => {
    const key = createHash('sha256').update(KEY).digest();
    const reference = (encrypt: string): string | 'refused' => {
      try {
        const buf = Buffer.from(encrypt, 'base64');
        if (buf.length < 32 || (buf.length - 16) % 16 !== 0) return 'refused';
        const d = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
        return Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8');
      } catch {
        return 'refused';
      }
    };
    const ours = (encrypt: string): string | 'refused' => {
      try {
        return decryptPayload(encrypt, KEY);
      } catch {
        return 'refused';
      }
    };
    // Random ciphertexts (most with bad padding), real ones with a flipped byte anywhere, and real ones:
    // one after another through the same kept block cipher, so no call leaves state for the next.
    const encrypted = fc
      .tuple(fc.string({ maxLength: 120 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
      .map(([text, iv]) => encryptIndependently(text, KEY, Buffer.from(iv)));
    const flipped = fc.tuple(encrypted, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([e, at, bit]) => {
      const buf = Buffer.from(e, 'base64');
      buf[at % buf.length]! ^= bit;
      return buf.toString('base64');
    });
    const random = fc
      .uint8Array({ minLength: 0, maxLength: 96 })
      .map((b) => Buffer.from(b).toString('base64'));
    fc.assert(
      fc.property(fc.array(fc.oneof(encrypted, flipped, random), { minLength: 1, maxLength: 8 }), (list) =>
        list.every((e) => ours(e) === reference(e)),
      ),
      { numRuns: 300 },
    );
    // Every pad length from 1 to 16 (plaintexts of 0 to 39 bytes); bad pad bytes are among the random ones above.
    for (let n = 0; n < 40; n++) expect(ours(encryptIndependently('x'.repeat(n), KEY))).toBe('x'.repeat(n));
  });

  it('what we encrypt the SDK decrypts', () => {
    const text = JSON.stringify(challengeFixture);
    expect(sdk.decrypt(encryptPayload(text, KEY))).toBe(text);
  });

  it('rejects truncated or wrong-key ciphertext', () => {
    expect(() => decryptPayload(Buffer.alloc(20).toString('base64'), KEY)).toThrow();
    const encrypted = encryptIndependently('x'.repeat(40), KEY, Buffer.alloc(16, 3));
    let out: string | undefined;
    try {
      out = decryptPayload(encrypted, 'wrong-key');
    } catch {
      out = undefined;
    }
    expect(out).not.toBe('x'.repeat(40));
  });
});

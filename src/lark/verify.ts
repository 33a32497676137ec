import { constantTimeEqualHex, decryptPayload, eventSignature, legacyCardSignature } from './crypto';
import { asEventEnvelope, type EventEnvelope, parseJsonObject } from './envelope';

export interface VerifyOptions {
  encryptKey?: string;
  verificationToken?: string;
  /** Accepted clock skew in seconds; default 300. */
  toleranceSec?: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
}

export type Inbound =
  | { kind: 'challenge'; challenge: string }
  /** `text` is the JSON the envelope was parsed from (decrypted when encrypted): it can be recorded as it came. */
  | { kind: 'event'; envelope: EventEnvelope; text: string }
  | { kind: 'legacy_card'; body: Record<string, unknown> };

export type VerifyResult =
  | { ok: true; inbound: Inbound }
  | { ok: false; status: 400 | 401 | 413; reason: string };

type JsonObject = Record<string, unknown>;
type Signed = { timestamp: string; nonce: string; signature: string };

const DEFAULT_TOLERANCE_SEC = 300;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Refuses bytes that are not UTF-8 (one decoder for every request; decoding without a stream keeps no state). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const refuse = (status: 400 | 401 | 413, reason: string): VerifyResult => ({ ok: false, status, reason });
const accept = (inbound: Inbound): VerifyResult => ({ ok: true, inbound });

function signedHeaders(header: (name: string) => string | undefined): Signed | null {
  const timestamp = header('x-lark-request-timestamp');
  const nonce = header('x-lark-request-nonce');
  const signature = header('x-lark-signature');
  return timestamp && nonce && signature ? { timestamp, nonce, signature } : null;
}

function isFresh(timestamp: string, nowMs: number, toleranceSec: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= toleranceSec;
}

function tokenMatches(given: unknown, expected: string): boolean {
  return typeof given === 'string' && constantTimeEqualHex(given, expected);
}

function isLegacyCard(body: JsonObject): boolean {
  return body.schema === undefined && typeof body.action === 'object' && body.action !== null;
}

/** The URL-verification request may only ever echo its challenge. */
function challengeOf(payload: JsonObject): string | null {
  return payload.type === 'url_verification' && typeof payload.challenge === 'string'
    ? payload.challenge
    : null;
}

/**
 * Verifies an inbound webhook request over its raw bytes and classifies it.
 * Framework-free: the caller supplies the raw body, a header lookup (lower-case names) and the clock.
 */
export function verifyRequest(
  rawBody: Uint8Array | string,
  header: (name: string) => string | undefined,
  nowMs: number,
  opts: VerifyOptions,
): VerifyResult {
  const raw = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  if (raw.byteLength > (opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) return refuse(413, 'body too large');

  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    return refuse(400, 'body is not utf-8');
  }
  const body = parseJsonObject(text);
  if (!body) return refuse(400, 'malformed json');

  const tolerance = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const signed = signedHeaders(header);
  const { encryptKey, verificationToken } = opts;

  // Old-style card callbacks are never encrypted and are signed with the verification token instead.
  if (typeof body.encrypt !== 'string' && isLegacyCard(body)) {
    if (!verificationToken)
      return encryptKey
        ? refuse(401, 'legacy card callback cannot be verified')
        : accept({ kind: 'legacy_card', body });
    if (!signed) return refuse(401, 'missing signature headers');
    if (!isFresh(signed.timestamp, nowMs, tolerance)) return refuse(401, 'stale or future timestamp');
    const expected = legacyCardSignature(signed.timestamp, signed.nonce, verificationToken, raw);
    if (!constantTimeEqualHex(signed.signature.toLowerCase(), expected)) return refuse(401, 'bad signature');
    return accept({ kind: 'legacy_card', body });
  }

  let payload: JsonObject;
  let payloadText = text;
  if (encryptKey) {
    if (typeof body.encrypt !== 'string') return refuse(401, 'plaintext body while encryption is configured');
    if (!signed) return verifyUnsignedChallenge(body.encrypt, encryptKey, verificationToken);
    if (!isFresh(signed.timestamp, nowMs, tolerance)) return refuse(401, 'stale or future timestamp');
    const expected = eventSignature(signed.timestamp, signed.nonce, encryptKey, raw);
    if (!constantTimeEqualHex(signed.signature.toLowerCase(), expected)) return refuse(401, 'bad signature');
    const decrypted = decryptToObject(body.encrypt, encryptKey);
    if (!decrypted) return refuse(400, 'decrypt failed');
    payload = decrypted.value;
    payloadText = decrypted.text;
  } else {
    if (typeof body.encrypt === 'string') return refuse(400, 'encrypted body but no encrypt key configured');
    payload = body;
  }

  const challenge = challengeOf(payload);
  if (payload.type === 'url_verification') {
    if (challenge === null) return refuse(400, 'malformed url verification');
    if (verificationToken && !tokenMatches(payload.token, verificationToken)) {
      return refuse(401, 'bad verification token');
    }
    return accept({ kind: 'challenge', challenge });
  }

  const headerObj =
    typeof payload.header === 'object' && payload.header !== null ? (payload.header as JsonObject) : null;
  const token = payload.schema === '2.0' && headerObj ? headerObj.token : payload.token;
  if (verificationToken && !tokenMatches(token, verificationToken))
    return refuse(401, 'bad verification token');

  if (payload.schema !== '2.0') return refuse(400, 'unsupported payload');
  const envelope = asEventEnvelope(payload);
  if (!envelope) return refuse(400, 'invalid envelope');
  return accept({ kind: 'event', envelope, text: payloadText });
}

function decryptToObject(encrypt: string, encryptKey: string): { value: JsonObject; text: string } | null {
  try {
    const text = decryptPayload(encrypt, encryptKey);
    const value = parseJsonObject(text);
    return value ? { value, text } : null;
  } catch {
    return null;
  }
}

/** Lark may send URL verification without signature headers; then only a token-checked challenge passes. */
function verifyUnsignedChallenge(
  encrypt: string,
  encryptKey: string,
  verificationToken?: string,
): VerifyResult {
  if (!verificationToken) return refuse(401, 'missing signature headers');
  const payload = decryptToObject(encrypt, encryptKey)?.value;
  const challenge = payload ? challengeOf(payload) : null;
  if (!payload || challenge === null) return refuse(401, 'missing signature headers');
  if (!tokenMatches(payload.token, verificationToken)) return refuse(401, 'bad verification token');
  return accept({ kind: 'challenge', challenge });
}

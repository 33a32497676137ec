import {
  createCipheriv,
  createDecipheriv,
  createHash,
  type Decipher,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

// Lark's encryption: key = SHA-256(encryptKey); body = base64(iv(16) || AES-256-CBC(plaintext, PKCS#7)).
// An app has one encrypt key: its hash is kept rather than worked out again for every request.
let lastKey: { encryptKey: string; key: Buffer } | undefined;
function aesKey(encryptKey: string): Buffer {
  if (lastKey?.encryptKey !== encryptKey)
    lastKey = { encryptKey, key: createHash('sha256').update(encryptKey, 'utf8').digest() };
  return lastKey.key;
}

/**
 * The key's AES-256 block decryption (ECB, no padding), one for the process: CBC decryption is each block's
 * decryption XOR the block before it (the IV before the first), so a payload needs no cipher of its own.
 * Setting up a CBC decipher per event was half of its decryption. ECB keeps no state between whole blocks,
 * and only whole blocks are given to it. null where the runtime has no ECB (then CBC per payload).
 */
let blockKey: { encryptKey: string; decipher: Decipher | null } | undefined;
function blockDecipher(encryptKey: string): Decipher | null {
  if (blockKey?.encryptKey !== encryptKey) {
    let decipher: Decipher | null = null;
    try {
      decipher = createDecipheriv('aes-256-ecb', aesKey(encryptKey), null).setAutoPadding(false);
    } catch {
      decipher = null;
    }
    blockKey = { encryptKey, decipher };
  }
  return blockKey.decipher;
}

export function decryptPayload(encrypt: string, encryptKey: string): string {
  const buf = Buffer.from(encrypt, 'base64');
  if (buf.length < 32 || (buf.length - 16) % 16 !== 0) throw new Error('encrypted payload has a bad length');
  const blocks = blockDecipher(encryptKey);
  if (!blocks) {
    const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), buf.subarray(0, 16));
    return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
  }
  const out = blocks.update(buf.subarray(16));
  if (out.length !== buf.length - 16) throw new Error('encrypted payload did not decrypt whole');
  for (let i = 0; i < out.length; i++) out[i]! ^= buf[i]!;
  // PKCS#7, checked as OpenSSL's CBC final() checks it: n in 1..16, the last n bytes all n.
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 16) throw new Error('bad decrypt');
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) throw new Error('bad decrypt');
  return out.toString('utf8', 0, out.length - pad);
}

export function encryptPayload(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** hex(SHA-256(timestamp + nonce + encryptKey + rawBody)) — events and schema-2.0 card callbacks. */
export function eventSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: string | Uint8Array,
): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(rawBody)
    .digest('hex');
}

/** hex(SHA-1(timestamp + nonce + verificationToken + rawBody)) — old-style card callbacks. */
export function legacyCardSignature(
  timestamp: string,
  nonce: string,
  verificationToken: string,
  rawBody: string | Uint8Array,
): string {
  return createHash('sha1')
    .update(timestamp + nonce + verificationToken, 'utf8')
    .update(rawBody)
    .digest('hex');
}

export function constantTimeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) {
    timingSafeEqual(ba, ba); // keep the time spent independent of where the strings differ
    return false;
  }
  return timingSafeEqual(ba, bb);
}

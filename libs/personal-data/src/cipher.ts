import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Ciphertext of one field as stored in an event: a string, so events stay JSON. */
export const CIPHERTEXT_PREFIX = 'pii:v1:';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM; `context` (customer and field) is authenticated, so a value cannot be moved to another field or customer. */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${CIPHERTEXT_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function open(key: Buffer, sealed: string, context: string): string {
  const raw = Buffer.from(sealed.slice(CIPHERTEXT_PREFIX.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(CIPHERTEXT_PREFIX);

/** Wraps a data key under a master key (the same AEAD, the key id as context). */
export const wrapKey = (master: Buffer, dataKey: Buffer, customerId: string) => seal(master, dataKey.toString('base64'), `data-key:${customerId}`);
export const unwrapKey = (master: Buffer, wrapped: string, customerId: string) => Buffer.from(open(master, wrapped, `data-key:${customerId}`), 'base64');

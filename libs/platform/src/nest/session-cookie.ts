export const SESSION_COOKIE = 'rapport_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie from a Cookie header; undefined when absent. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Behind a TLS-terminating proxy the request arrives as http, with x-forwarded-proto: https. */
export function isSecureRequest(request: { protocol?: string; headers: Record<string, string | string[] | undefined> }): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' || request.protocol === 'https';
}

/** HttpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it), Secure behind TLS. */
export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

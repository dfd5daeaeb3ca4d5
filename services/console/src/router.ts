import { useSyncExternalStore } from 'react';

/** Client routes live under the path the app is served from (/console/ by default). */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

const subscribe = (onChange: () => void) => {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
};

/** The path below BASE, e.g. `/customers/17850`. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname.slice(BASE.length) || '/');
}

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export const customerPath = (customerId: string) => `/customers/${encodeURIComponent(customerId)}`;

export function matchCustomer(path: string): string | undefined {
  const match = /^\/customers\/([^/]+)\/?$/.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

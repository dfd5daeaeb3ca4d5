import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken } from './api/client';
import type { Session, StaffRole } from './api/types';

const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in staff member; only used below <SignedIn>. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export const canAct = (role: StaffRole) => role === 'support' || role === 'admin';

async function currentSession(): Promise<Session | null> {
  try {
    const session = await api<Session>('/v1/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

export function useCurrentSession() {
  return useQuery({ queryKey: ['session'], queryFn: currentSession, staleTime: Infinity, retry: false });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) => api<Session>('/v1/session', { method: 'POST', body: input }),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.removeQueries({ queryKey: ['session-ended'] });
      client.setQueryData(['session'], session);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/v1/session', { method: 'DELETE' }),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(['session'], null);
    },
  });
}

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

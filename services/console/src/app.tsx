import { Anchor, AppShell, Badge, Button, Center, Group, Loader, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { CustomerPage } from './pages/customer-page';
import { QueuePage } from './pages/queue-page';
import { SearchPage } from './pages/search-page';
import { SignInPage } from './pages/sign-in-page';
import { BASE, matchCustomer, navigate, usePath } from './router';
import { canAct, SessionProvider, useCurrentSession, useSignOut } from './session';

// The analyst page brings the chart library: loaded when first opened, so the support pages stay light.
const AnalystPage = lazy(() => import('./pages/analyst-page').then((module) => ({ default: module.AnalystPage })));

export function App() {
  const session = useCurrentSession();
  const signOut = useSignOut();
  const path = usePath();

  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  if (!session.data) return <SignInPage />;

  const { staff } = session.data;
  const customerId = matchCustomer(path);
  return (
    <SessionProvider session={session.data}>
      <AppShell header={{ height: 56 }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group gap="sm">
              <Anchor
                href={`${import.meta.env.BASE_URL}`}
                onClick={(event) => {
                  event.preventDefault();
                  navigate('/');
                }}
                underline="never"
              >
                <Title order={2} size="h4" c="dark">
                  Rapport console
                </Title>
              </Anchor>
              <Group gap="xs" component="nav" aria-label="Pages">
                <NavLink path="/" label="Search" current={path} />
                {canAct(staff.role) && <NavLink path="/queue" label="Work queue" current={path} />}
                <NavLink path="/analytics" label="Analytics" current={path} />
              </Group>
            </Group>
            <Group gap="sm">
              <Text size="sm" aria-label="Signed in as">
                {staff.name} ({staff.email})
              </Text>
              <Badge color={staff.role === 'admin' ? 'red.9' : staff.role === 'support' ? 'blue.9' : 'grape.9'} aria-label={`Role ${staff.role}`}>
                {staff.role}
              </Badge>
              <Button variant="outline" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
                Sign out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Main>
          {customerId !== undefined ? (
            <CustomerPage customerId={customerId} />
          ) : path.replace(/\/$/, '') === '/queue' ? (
            <QueuePage />
          ) : path.replace(/\/$/, '') === '/analytics' ? (
            <Suspense fallback={<Loader size="sm" role="status" aria-label="Loading analytics" />}>
              <AnalystPage />
            </Suspense>
          ) : (
            <SearchPage />
          )}
        </AppShell.Main>
      </AppShell>
    </SessionProvider>
  );
}

function NavLink({ path, label, current }: { path: string; label: string; current: string }) {
  const active = current.replace(/\/$/, '') === path.replace(/\/$/, '') || (path === '/' && current === '/');
  return (
    <Anchor
      href={`${BASE}${path}`}
      aria-current={active ? 'page' : undefined}
      fw={active ? 700 : 400}
      size="sm"
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </Anchor>
  );
}

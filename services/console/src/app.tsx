import { Anchor, AppShell, Badge, Button, Center, Group, Loader, Text, Title } from '@mantine/core';
import { CustomerPage } from './pages/customer-page';
import { SearchPage } from './pages/search-page';
import { SignInPage } from './pages/sign-in-page';
import { matchCustomer, navigate, usePath } from './router';
import { SessionProvider, useCurrentSession, useSignOut } from './session';

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
          {customerId !== undefined ? <CustomerPage customerId={customerId} /> : <SearchPage />}
        </AppShell.Main>
      </AppShell>
    </SessionProvider>
  );
}

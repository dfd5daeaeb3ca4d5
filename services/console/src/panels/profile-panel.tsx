import { Alert, Badge, Card, Group, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, pathOf } from '../api/client';
import type { ProfileSummary } from '../api/types';
import { date, money } from '../format';

export function ProfilePanel({ customerId }: { customerId: string }) {
  const profile = useQuery({
    queryKey: ['profile', customerId],
    queryFn: ({ signal }) => api<ProfileSummary>(pathOf('/v1/customers/{customerId}', { customerId }), { signal }),
  });

  return (
    <Card withBorder component="section" aria-labelledby="profile-title">
      <Title order={2} size="h5" id="profile-title">
        Profile
      </Title>
      {profile.isPending && <Loader size="sm" role="status" aria-label="Loading profile" />}
      {profile.error && (
        <Alert color={profile.error instanceof ApiError && profile.error.status === 404 ? 'yellow' : 'red'} role="alert" mt="xs">
          {profile.error instanceof ApiError && profile.error.status === 404 ? `No customer ${customerId}.` : profile.error.message}
        </Alert>
      )}
      {profile.data && <ProfileFacts profile={profile.data} />}
    </Card>
  );
}

function ProfileFacts({ profile }: { profile: ProfileSummary }) {
  const { identity, orders } = profile;
  const name = [identity.firstName, identity.lastName].filter(Boolean).join(' ');
  // Analysts get the same shape without personal fields: the keys are absent, not null.
  const redacted = !('email' in identity);
  const rows: [string, string][] = [
    ...(redacted ? [] : ([['Name', name || '—'], ['Email', identity.email ?? '—'], ['Phone', identity.phone ?? '—']] as [string, string][])),
    ['Country', identity.country ?? '—'],
    ['Signed up', profile.registeredAt ? `${date(profile.registeredAt)} (${profile.signupChannel ?? 'unknown channel'})` : '—'],
    ['First seen', date(profile.firstSeen)],
    ['Last seen', date(profile.lastSeen)],
    ['Orders', String(orders.count)],
    ['Net spend', orders.netSpend ? money(orders.netSpend.amount, orders.netSpend.currency) : '—'],
    ['Interactions', String(profile.interactions)],
    ['Open complaints', String(profile.openComplaints.length)],
    ['Pending callbacks', String(profile.pendingCallbacks.length)],
  ];
  return (
    <>
      {redacted && (
        <Text size="sm" c="gray.7" mt="xs">
          Personal fields are hidden for analysts.
        </Text>
      )}
      <Table mt="xs" aria-label="Profile facts" variant="vertical" layout="fixed">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={160}>{label}</Table.Th>
              <Table.Td data-testid={`profile-${label.toLowerCase().replace(/\s+/g, '-')}`}>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={3} size="h6" mt="md">
        Consents
      </Title>
      {profile.consents.length === 0 ? (
        <Text size="sm">No consent recorded.</Text>
      ) : (
        <Group gap="xs" mt={4} aria-label="Consents">
          {profile.consents.map((consent) => (
            <Badge key={`${consent.purpose}-${consent.channel}`} color={consent.granted ? 'teal.9' : 'gray.8'} variant="filled">
              {consent.purpose} by {consent.channel}: {consent.granted ? 'granted' : 'withdrawn'}
            </Badge>
          ))}
        </Group>
      )}
    </>
  );
}

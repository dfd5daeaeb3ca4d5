import { Alert, Anchor, Badge, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, pathOf } from '../api/client';
import type { SearchPage as SearchResults } from '../api/types';
import { BASE, customerPath, navigate } from '../router';

/** Search by customer id, email, phone or name prefix; results as you type. */
export function SearchPage() {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 200);
  const results = useQuery({
    queryKey: ['search', debounced],
    queryFn: ({ signal }) => api<SearchResults>(pathOf('/v1/customers', {}, { q: debounced, limit: 20 }), { signal }),
    enabled: debounced.length > 0,
    placeholderData: keepPreviousData,
  });
  const rows = debounced.length > 0 ? (results.data?.results ?? []) : [];

  return (
    <Stack maw={900}>
      <Title order={1} size="h3">
        Find a customer
      </Title>
      <TextInput
        label="Search customers"
        description="Customer id, email, phone or the start of a name"
        placeholder="e.g. 17850"
        value={q}
        onChange={(event) => setQ(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && rows[0]) navigate(customerPath(rows[0].customerId));
        }}
        rightSection={results.isFetching ? <Loader size="xs" role="status" aria-label="Searching" /> : null}
        autoFocus
        size="md"
      />
      {results.error && (
        <Alert color="red" role="alert" title="Search failed">
          {results.error.message}
        </Alert>
      )}
      {debounced.length > 0 && results.isSuccess && rows.length === 0 && <Text>No customer matches “{debounced}”.</Text>}
      {rows.length > 0 && (
        <Table striped highlightOnHover aria-label="Search results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Customer</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Country</Table.Th>
              <Table.Th>Last seen</Table.Th>
              <Table.Th>Matched on</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.customerId}>
                <Table.Td>
                  <Anchor
                    href={`${BASE}${customerPath(row.customerId)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(customerPath(row.customerId));
                    }}
                  >
                    {row.customerId}
                  </Anchor>
                </Table.Td>
                <Table.Td>{row.name ?? '—'}</Table.Td>
                <Table.Td>{row.email ?? '—'}</Table.Td>
                <Table.Td>{row.country ?? '—'}</Table.Td>
                <Table.Td>{new Date(row.lastSeen).toLocaleDateString('en-GB')}</Table.Td>
                <Table.Td>
                  <Badge variant="outline" color="gray.8">
                    {row.match}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

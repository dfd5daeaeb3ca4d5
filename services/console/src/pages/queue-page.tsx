import { Alert, Anchor, Badge, Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, pathOf } from '../api/client';
import type { CasesPage } from '../api/types';
import { overdue, SlaCountdown, useNow } from '../cases/sla';
import { BASE, customerPath, navigate } from '../router';
import { useSession } from '../session';

const STATUSES = ['open', 'responded', 'escalated', 'reopened', 'resolved', 'requested', 'scheduled', 'completed', 'cancelled'];

/** The work queue: every case due soonest first (cases with no running clock last), breached in red. */
export function QueuePage() {
  const { staff } = useSession();
  const now = useNow();
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [assignee, setAssignee] = useState('');
  const [debouncedAssignee] = useDebouncedValue(assignee.trim(), 300);
  const queue = useInfiniteQuery({
    queryKey: ['queue', kind, status, debouncedAssignee],
    queryFn: ({ pageParam, signal }) =>
      api<CasesPage>(pathOf('/v1/cases', {}, { kind: kind ?? undefined, status: status ?? undefined, assignee: debouncedAssignee || undefined, cursor: pageParam, limit: 100 }), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const items = queue.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Stack>
      <Title order={1} size="h3">
        Work queue
      </Title>
      <Group align="flex-end">
        <Select label="Kind" placeholder="All kinds" data={['complaint', 'callback']} value={kind} onChange={setKind} clearable w={160} />
        <Select label="Status" placeholder="All statuses" data={STATUSES} value={status} onChange={setStatus} clearable w={180} />
        <TextInput label="Assignee (staff id)" placeholder="Anyone" value={assignee} onChange={(event) => setAssignee(event.currentTarget.value)} w={320} />
        <Button variant="outline" onClick={() => setAssignee(staff.id)}>
          Assigned to me
        </Button>
      </Group>
      {queue.error && (
        <Alert color="red" role="alert">
          {queue.error.message}
        </Alert>
      )}
      {queue.isPending && <Loader size="sm" role="status" aria-label="Loading the queue" />}
      {queue.data && (
        <Text size="sm" data-testid="queue-count">
          {items.length}
          {queue.hasNextPage ? '+' : ''} cases, due soonest first
        </Text>
      )}
      <Table aria-label="Cases, due soonest first" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Case</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Assignee</Table.Th>
            <Table.Th>SLA</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => {
            const late = item.breached || overdue(item, now);
            return (
              <Table.Tr key={item.caseId} data-testid="queue-row" data-case-id={item.caseId} data-breached={late ? 'true' : 'false'} bg={late ? 'red.0' : undefined}>
                <Table.Td>
                  {item.kind} {item.id}
                </Table.Td>
                <Table.Td>
                  {item.customerId ? (
                    <Anchor
                      href={`${BASE}${customerPath(item.customerId)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate(customerPath(item.customerId!));
                      }}
                    >
                      {item.customerId}
                    </Anchor>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color="blue.9">{item.status}</Badge>
                </Table.Td>
                <Table.Td>{item.severity ?? '—'}</Table.Td>
                <Table.Td>{item.assigneeId ?? 'unassigned'}</Table.Td>
                <Table.Td>
                  <SlaCountdown item={item} now={now} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {queue.data && items.length === 0 && <Text size="sm">No case matches.</Text>}
      {queue.hasNextPage && (
        <Group>
          <Button variant="outline" onClick={() => void queue.fetchNextPage()} loading={queue.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

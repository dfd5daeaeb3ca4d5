import { Alert, Button, Card, Group, Loader, NumberInput, Progress, ScrollArea, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, pathOf } from '../api/client';
import type { LedgerEntry, LedgerPage, LoyaltyAccount } from '../api/types';
import { date, dateTime, points } from '../format';
import { canAct, useSession } from '../session';

const LEDGER_PAGE = 500;

async function wholeLedger(customerId: string, signal: AbortSignal): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<LedgerPage>(pathOf('/v1/customers/{customerId}/loyalty/ledger', { customerId }, { limit: LEDGER_PAGE, cursor }), { signal });
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && entries.length < 20 * LEDGER_PAGE);
  return entries;
}

export function LoyaltyPanel({ customerId }: { customerId: string }) {
  const { staff } = useSession();
  const account = useQuery({
    queryKey: ['loyalty', customerId],
    queryFn: ({ signal }) => api<LoyaltyAccount>(pathOf('/v1/customers/{customerId}/loyalty', { customerId }), { signal }),
  });
  // The ledger is a read model that follows the loyalty stream a moment later: after an action,
  // poll until the movement it stored is there, so the result shows without a reload.
  const [awaiting, setAwaiting] = useState<string>();
  const ledger = useQuery({
    queryKey: ['ledger', customerId],
    queryFn: ({ signal }) => wholeLedger(customerId, signal),
    enabled: account.isSuccess,
    refetchInterval: (query) => (awaiting && !query.state.data?.some((entry) => entry.eventId === awaiting) ? 500 : false),
  });
  const noAccount = account.error instanceof ApiError && account.error.status === 404;

  return (
    <Card withBorder component="section" aria-labelledby="loyalty-title">
      <Title order={2} size="h5" id="loyalty-title">
        Loyalty
      </Title>
      {account.isPending && <Loader size="sm" role="status" aria-label="Loading loyalty" />}
      {noAccount && <Text size="sm">No loyalty account yet.</Text>}
      {account.error && !noAccount && (
        <Alert color="red" role="alert">
          {account.error.message}
        </Alert>
      )}
      {account.data && <Balances account={account.data} />}
      {account.data && canAct(staff.role) && <PointsForm customerId={customerId} kind="redeem" onStored={setAwaiting} />}
      {account.data && staff.role === 'admin' && <PointsForm customerId={customerId} kind="adjust" onStored={setAwaiting} />}
      {ledger.data && <Ledger entries={ledger.data} />}
    </Card>
  );
}

function Balances({ account }: { account: LoyaltyAccount }) {
  const next = account.nextTier;
  const progress = next ? Math.min(100, (account.qualifyingPoints / next.threshold) * 100) : 100;
  return (
    <Stack gap="xs" mt="xs">
      <SimpleGrid cols={3}>
        <Figure label="Available" value={points(account.available)} testId="loyalty-available" />
        <Figure label="Pending" value={points(account.pending)} testId="loyalty-pending" />
        <Figure label="Tier" value={account.tier} testId="loyalty-tier" />
      </SimpleGrid>
      <Text size="sm" id="tier-progress-label">
        {next ? `${points(next.pointsToGo)} qualifying points to ${next.name} (${points(account.qualifyingPoints)} of ${points(next.threshold)})` : 'Top tier reached'}
        {account.tierReviewAt ? ` · tier review ${date(account.tierReviewAt)}` : ''}
      </Text>
      <Progress.Root>
        <Progress.Section value={progress} aria-label="Progress to the next tier" />
      </Progress.Root>
      <Text size="sm" data-testid="loyalty-expiring">
        Expiring within {account.expiringSoon.withinDays} days: {points(account.expiringSoon.points)} points
        {account.expiringSoon.lots.length > 0 ? ` (first on ${date(account.expiringSoon.lots[0]!.expiresAt)})` : ''}
      </Text>
    </Stack>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text fw={700} size="lg" data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

const newKey = () =>
  typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

function conflictMessage(error: Error): string {
  if (!(error instanceof ApiError)) return error.message;
  const { problem } = error;
  if (error.status === 409 && typeof problem.available === 'number') {
    return `Not enough points: ${points(problem.available)} available, ${points(Number(problem.requested))} requested. The balance may have changed; it has been reloaded.`;
  }
  if (error.status === 409) return `Someone else changed this account first: ${error.message} It has been reloaded; check and try again.`;
  if (error.status === 400 && problem.errors?.length) return problem.errors.map((item) => `${item.path}: ${item.message}`).join('; ');
  return error.message;
}

function PointsForm({ customerId, kind, onStored }: { customerId: string; kind: 'redeem' | 'adjust'; onStored: (eventId: string) => void }) {
  const client = useQueryClient();
  const [amount, setAmount] = useState<string | number>('');
  const [reason, setReason] = useState('');
  // One key per intended action: a retry after a lost answer is not a second redemption.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const [done, setDone] = useState<string>();
  const path = kind === 'redeem' ? '/v1/customers/{customerId}/loyalty/redemptions' : '/v1/customers/{customerId}/loyalty/adjustments';
  const action = useMutation({
    mutationFn: (body: { points: number; reason: string; idempotencyKey: string }) => api<{ eventId: string; points: number }>(pathOf(path, { customerId }), { method: 'POST', body }),
    onSuccess: (answer) => {
      setDone(kind === 'redeem' ? `Redeemed ${points(answer.points)} points.` : `Adjusted by ${points(answer.points)} points.`);
      setAmount('');
      setReason('');
      setIdempotencyKey(newKey());
      onStored(answer.eventId);
    },
    onError: () => setIdempotencyKey(newKey()),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['loyalty', customerId] });
      void client.invalidateQueries({ queryKey: ['ledger', customerId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    action.mutate({ points: Number(amount), reason: reason.trim(), idempotencyKey });
  };
  const title = kind === 'redeem' ? 'Redeem points' : 'Adjust points (admin)';
  return (
    <form onSubmit={submit} aria-label={title}>
      <Title order={3} size="h6" mt="md">
        {title}
      </Title>
      <Group align="flex-end" gap="xs" mt={4}>
        <NumberInput
          label={kind === 'redeem' ? 'Points to redeem' : 'Points (+ or −)'}
          value={amount}
          onChange={setAmount}
          allowDecimal={false}
          allowNegative={kind === 'adjust'}
          min={kind === 'redeem' ? 1 : undefined}
          required
          w={150}
        />
        <TextInput label="Reason" value={reason} onChange={(event) => setReason(event.currentTarget.value)} required maxLength={500} style={{ flex: 1 }} />
        <Button type="submit" loading={action.isPending}>
          {kind === 'redeem' ? 'Redeem' : 'Adjust'}
        </Button>
      </Group>
      {done && (
        <Alert color="green" mt="xs" role="status">
          {done}
        </Alert>
      )}
      {action.error && (
        <Alert color="red" mt="xs" role="alert" title={action.error instanceof ApiError && action.error.status === 409 ? 'Conflict' : 'Not done'}>
          {conflictMessage(action.error)}
        </Alert>
      )}
    </form>
  );
}

function Ledger({ entries }: { entries: readonly LedgerEntry[] }) {
  const newestFirst = [...entries].reverse();
  return (
    <>
      <Title order={3} size="h6" mt="md">
        Ledger ({entries.length} movements, latest recorded first)
      </Title>
      <ScrollArea h={260} type="auto" viewportProps={{ tabIndex: 0, 'aria-label': 'Loyalty ledger' }}>
        <Table striped stickyHeader aria-label="Ledger movements">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Movement</Table.Th>
              <Table.Th ta="right">Available</Table.Th>
              <Table.Th ta="right">Pending</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {newestFirst.map((entry) => (
              <Table.Tr key={entry.eventId} data-testid="ledger-row">
                <Table.Td>{dateTime(entry.occurredAt)}</Table.Td>
                <Table.Td>{entry.type}</Table.Td>
                <Table.Td ta="right">
                  {signed(entry.availableDelta)} → {points(entry.availableAfter)}
                </Table.Td>
                <Table.Td ta="right">
                  {signed(entry.pendingDelta)} → {points(entry.pendingAfter)}
                </Table.Td>
                <Table.Td>{entry.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </>
  );
}

const signed = (value: number) => (value > 0 ? `+${points(value)}` : value < 0 ? `−${points(-value)}` : '0');

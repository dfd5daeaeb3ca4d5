import { Alert, Badge, Button, Card, Checkbox, Group, Loader, NumberInput, Select, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, newIdempotencyKey, pathOf, type ApiPath } from '../api/client';
import type { CaseCommandAnswer, CaseDetails, CaseItem, CasesPage, LoyaltyAccount } from '../api/types';
import { caseErrorMessage, CommandForm } from '../cases/command-form';
import { FileComplaintForm } from '../cases/file-complaint-form';
import { CLOSED_STATUSES, SlaCountdown, useNow } from '../cases/sla';
import { dateTime } from '../format';
import { canAct, useSession } from '../session';

const CALLBACK_OUTCOMES = ['resolved', 'follow_up_needed', 'no_answer', 'voicemail', 'wrong_number', 'declined'];

/** The customer's open complaints and callbacks with SLA countdowns; support and admin act on them. */
export function CasesPanel({ customerId }: { customerId: string }) {
  const { staff } = useSession();
  const allowed = canAct(staff.role);
  const client = useQueryClient();
  const now = useNow();
  const [result, setResult] = useState<string>();
  const [filing, setFiling] = useState(false);
  const cases = useQuery({
    queryKey: ['cases', customerId],
    queryFn: ({ signal }) => api<CasesPage>(pathOf('/v1/cases', {}, { customerId, limit: 200 }), { signal }),
    enabled: allowed,
  });
  const waitForPoints = useLoyaltyWatch(customerId);

  const onDone = (answer: CaseCommandAnswer, message: string, compensationPoints?: number) => {
    setResult(answer.replayed ? `${message} (already done: the first answer was replayed)` : message);
    // The read model follows the case stream a moment later: reload the list once it holds the
    // events the command appended, so the result shows without a reload.
    void untilApplied(answer).then(() => {
      void client.invalidateQueries({ queryKey: ['cases', customerId] });
      void client.invalidateQueries({ queryKey: ['profile', customerId] });
      // The live stream normally brings the new entries; reloading the timeline also covers a stream that reconnected meanwhile.
      void client.invalidateQueries({ queryKey: ['timeline', customerId] });
    });
    if (compensationPoints) waitForPoints();
  };

  const open = (cases.data?.items ?? []).filter((item) => !CLOSED_STATUSES.includes(item.status));
  return (
    <Card withBorder component="section" aria-labelledby="cases-title">
      <Group justify="space-between">
        <Title order={2} size="h5" id="cases-title">
          Open cases{cases.data ? ` (${open.length})` : ''}
        </Title>
        {allowed && (
          <Button size="xs" variant={filing ? 'default' : 'filled'} onClick={() => setFiling(!filing)} aria-expanded={filing}>
            {filing ? 'Cancel filing' : 'File a complaint'}
          </Button>
        )}
      </Group>
      {allowed && filing && (
        <Card withBorder padding="sm" mt="xs">
          <FileComplaintForm
            customerId={customerId}
            onFiled={({ answer, complaintId }) => {
              setFiling(false);
              onDone(answer, `Filed complaint ${complaintId}.`);
            }}
          />
        </Card>
      )}
      {!allowed && (
        <Text size="sm" c="gray.7" mt="xs">
          Cases are shown to support and admins; the profile counts open complaints and pending callbacks.
        </Text>
      )}
      {allowed && cases.isPending && <Loader size="sm" role="status" aria-label="Loading cases" />}
      {cases.error && (
        <Alert color="red" role="alert" mt="xs">
          {cases.error.message}
        </Alert>
      )}
      {result && (
        <Alert color="green" role="status" mt="xs" data-testid="case-result" withCloseButton onClose={() => setResult(undefined)} closeButtonLabel="Dismiss">
          {result}
        </Alert>
      )}
      {cases.data && open.length === 0 && (
        <Text size="sm" mt="xs">
          No open complaint or callback.
        </Text>
      )}
      <Stack gap="sm" mt="xs">
        {open.map((item) => (
          <CaseCard key={item.caseId} item={item} now={now} onDone={onDone} />
        ))}
      </Stack>
    </Card>
  );
}

/** Reads the case from the read model until `done` says so, for up to 15 s; a failed read (not there yet) is retried. */
async function pollCase(caseId: string, done: (details: CaseDetails) => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if (done(await api<CaseDetails>(pathOf('/v1/cases/{id}', { id: caseId })))) return;
    } catch {
      // not in the read model yet
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

/** Waits until the case's history in the read model holds every event a command appended. */
async function untilApplied(answer: CaseCommandAnswer): Promise<void> {
  if (answer.eventIds.length === 0) return;
  await pollCase(answer.caseId, (details) => {
    const seen = new Set(details.history.map((event) => event.eventId));
    return answer.eventIds.every((id) => seen.has(id));
  });
}

/** Waits until the read model's copy of a case differs from the given one. */
function untilChanged(item: CaseItem): Promise<void> {
  const fields = (value: CaseItem) => JSON.stringify([value.status, value.escalationLevel, value.assigneeId, value.flags, value.dueAt, value.breached]);
  const stale = fields(item);
  return pollCase(item.caseId, (details) => fields(details) !== stale);
}

/** Refetches the loyalty account for a while after points were granted, until the balance moves. */
function useLoyaltyWatch(customerId: string): () => void {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setInterval>>(undefined);
  useEffect(() => () => clearInterval(timer.current), []);
  return () => {
    clearInterval(timer.current);
    const before = client.getQueryData<LoyaltyAccount>(['loyalty', customerId]);
    const started = Date.now();
    timer.current = setInterval(() => {
      const current = client.getQueryData<LoyaltyAccount>(['loyalty', customerId]);
      const moved = before === undefined ? current !== undefined : current !== undefined && (current.available !== before.available || current.lifetimeEarned !== before.lifetimeEarned);
      if ((moved && Date.now() - started > 1000) || Date.now() - started > 30_000) {
        clearInterval(timer.current);
        void client.invalidateQueries({ queryKey: ['timeline', customerId] });
      }
      void client.invalidateQueries({ queryKey: ['loyalty', customerId] });
      void client.invalidateQueries({ queryKey: ['ledger', customerId] });
    }, 1000);
  };
}

type OnDone = (answer: CaseCommandAnswer, message: string, compensationPoints?: number) => void;

function CaseCard({ item, now, onDone }: { item: CaseItem; now: number; onDone: OnDone }) {
  const title = item.kind === 'complaint' ? `Complaint ${item.id}` : `Callback ${item.id}`;
  const [tab, setTab] = useState<string | null>(null);
  const done: OnDone = (answer, message, points) => {
    setTab(null);
    onDone(answer, message, points);
  };
  return (
    <Card withBorder padding="sm" component="article" aria-label={title} data-testid="case-card" data-case-id={item.caseId} bd={item.breached ? '2px solid var(--mantine-color-red-8)' : undefined}>
      <Group justify="space-between" gap="xs">
        <Text fw={600}>{title}</Text>
        <Group gap={4}>
          <Badge variant="filled" color="blue.9" data-testid="case-status">
            {item.status}
          </Badge>
          {item.severity && <Badge color={item.severity === 'critical' || item.severity === 'high' ? 'red.9' : 'gray.8'}>{item.severity}</Badge>}
          {item.escalationLevel > 0 && <Badge color="violet.9">escalated to level {item.escalationLevel}</Badge>}
        </Group>
      </Group>
      <Text size="sm">
        {[item.category, item.channel, item.reason].filter(Boolean).join(' · ')}
        {item.openedAt ? ` · opened ${dateTime(item.openedAt)}` : ''}
        {` · ${item.assigneeId ? `assigned to ${item.assigneeId}` : 'unassigned'}`}
      </Text>
      <SlaCountdown item={item} now={now} />
      {item.flags.length > 0 && (
        <Text size="xs" c="orange.9">
          {item.flags.join('; ')}
        </Text>
      )}
      <CanAct>
        <Tabs value={tab} onChange={setTab} keepMounted={false} mt="xs" variant="outline">
          <Tabs.List aria-label={`Actions on ${title}`}>
            {item.kind === 'complaint' ? (
              <>
                <Tabs.Tab value="respond">Respond</Tabs.Tab>
                <Tabs.Tab value="escalate">Escalate</Tabs.Tab>
                <Tabs.Tab value="assign">Assign</Tabs.Tab>
                <Tabs.Tab value="resolve">Resolve</Tabs.Tab>
              </>
            ) : (
              <>
                <Tabs.Tab value="schedule">Schedule</Tabs.Tab>
                <Tabs.Tab value="complete">Complete</Tabs.Tab>
              </>
            )}
          </Tabs.List>
          <Tabs.Panel value="respond" pt="xs">
            <RespondForm item={item} onDone={done} />
          </Tabs.Panel>
          <Tabs.Panel value="escalate" pt="xs">
            <EscalateForm item={item} onDone={done} />
          </Tabs.Panel>
          <Tabs.Panel value="assign" pt="xs">
            <AssignForm item={item} onDone={done} />
          </Tabs.Panel>
          <Tabs.Panel value="resolve" pt="xs">
            <ResolveForm item={item} onDone={done} />
          </Tabs.Panel>
          <Tabs.Panel value="schedule" pt="xs">
            <ScheduleForm item={item} onDone={done} />
          </Tabs.Panel>
          <Tabs.Panel value="complete" pt="xs">
            <CompleteForm item={item} onDone={done} />
          </Tabs.Panel>
        </Tabs>
      </CanAct>
    </Card>
  );
}

function CanAct({ children }: { children: ReactNode }) {
  const { staff } = useSession();
  return canAct(staff.role) ? <>{children}</> : null;
}

/** One staff command on a case: one Idempotency-Key per intended action, the CSRF token goes along. */
function useCaseCommand<B>(item: CaseItem, path: ApiPath, message: (answer: CaseCommandAnswer, body: B) => string, onDone: OnDone, pointsOf?: (body: B) => number | undefined) {
  const client = useQueryClient();
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const mutation = useMutation({
    mutationFn: (body: B) => api<CaseCommandAnswer>(pathOf(path, { id: item.id }), { method: 'POST', body, headers: { 'idempotency-key': idempotencyKey } }),
    onSuccess: (answer, body) => {
      setIdempotencyKey(newIdempotencyKey());
      onDone(answer, message(answer, body), pointsOf?.(body));
    },
    onError: (error) => {
      setIdempotencyKey(newIdempotencyKey());
      if (!(error instanceof ApiError && error.status === 409 && item.customerId)) return;
      // The conflict was decided on the case stream, which the read model may not have caught up
      // with yet: reload now, and again once the case reads differently from this stale copy.
      const reload = () => client.invalidateQueries({ queryKey: ['cases', item.customerId] });
      void reload();
      void untilChanged(item).then(reload);
    },
  });
  return mutation;
}

function RespondForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const [message, setMessage] = useState('');
  const [awaitingCustomer, setAwaitingCustomer] = useState(false);
  const command = useCaseCommand<{ message: string; awaitingCustomer?: boolean }>(item, '/v1/complaints/{id}/responses', () => `Responded to complaint ${item.id}.`, onDone);
  return (
    <CommandForm label={`Respond to complaint ${item.id}`} submit="Send response" pending={command.isPending} error={command.error} onSubmit={() => command.mutate({ message: message.trim(), ...(awaitingCustomer ? { awaitingCustomer } : {}) })}>
      <Textarea label="Message to the customer" value={message} onChange={(event) => setMessage(event.currentTarget.value)} required maxLength={4000} autosize minRows={2} />
      <Checkbox label="Asks the customer for information (pauses the resolution clock)" checked={awaitingCustomer} onChange={(event) => setAwaitingCustomer(event.currentTarget.checked)} />
    </CommandForm>
  );
}

function EscalateForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const levels = [1, 2, 3, 4, 5].filter((level) => level > item.escalationLevel).map(String);
  const [level, setLevel] = useState<string | null>(levels[0] ?? null);
  const [reason, setReason] = useState('');
  const command = useCaseCommand<{ level: number; reason?: string }>(item, '/v1/complaints/{id}/escalations', (_, body) => `Escalated complaint ${item.id} to level ${body.level}.`, onDone);
  if (levels.length === 0) return <Text size="sm">Already at the highest level (5).</Text>;
  return (
    <CommandForm label={`Escalate complaint ${item.id}`} submit="Escalate" pending={command.isPending} error={command.error} onSubmit={() => command.mutate({ level: Number(level), ...(reason.trim() ? { reason: reason.trim() } : {}) })}>
      <Select label="Level" data={levels} value={level} onChange={setLevel} allowDeselect={false} required w={120} />
      <TextInput label="Reason" value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={500} />
    </CommandForm>
  );
}

function AssignForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const { staff } = useSession();
  const [assigneeId, setAssigneeId] = useState(item.assigneeId ?? staff.id);
  const command = useCaseCommand<{ assigneeId: string }>(item, '/v1/complaints/{id}/assignment', (_, body) => `Assigned complaint ${item.id} to ${body.assigneeId}.`, onDone);
  return (
    <CommandForm label={`Assign complaint ${item.id}`} submit="Assign" pending={command.isPending} error={command.error} onSubmit={() => command.mutate({ assigneeId: assigneeId.trim() })}>
      <TextInput label="Assignee (staff id)" description={`Your id: ${staff.id}`} value={assigneeId} onChange={(event) => setAssigneeId(event.currentTarget.value)} required maxLength={128} />
    </CommandForm>
  );
}

function ResolveForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const [resolution, setResolution] = useState('');
  const [compensationPoints, setCompensationPoints] = useState<string | number>('');
  const command = useCaseCommand<{ resolution: string; compensationPoints?: number }>(
    item,
    '/v1/complaints/{id}/resolution',
    (_, body) => `Resolved complaint ${item.id}${body.compensationPoints ? ` with ${body.compensationPoints.toLocaleString('en-GB')} compensation points` : ''}.`,
    onDone,
    (body) => body.compensationPoints,
  );
  const points = compensationPoints === '' ? undefined : Number(compensationPoints);
  return (
    <CommandForm
      label={`Resolve complaint ${item.id}`}
      submit="Resolve complaint"
      pending={command.isPending}
      error={command.error}
      onSubmit={() => command.mutate({ resolution: resolution.trim(), ...(points ? { compensationPoints: points } : {}) })}
    >
      <Textarea label="Resolution" value={resolution} onChange={(event) => setResolution(event.currentTarget.value)} required maxLength={2000} autosize minRows={2} />
      <NumberInput label="Compensation points" description="Optional; the loyalty service awards them" value={compensationPoints} onChange={setCompensationPoints} allowDecimal={false} allowNegative={false} min={1} max={1_000_000} w={220} />
    </CommandForm>
  );
}

/** A datetime-local value (the browser's zone) as an ISO instant. */
const instantOf = (local: string) => new Date(local).toISOString();

function ScheduleForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const { staff } = useSession();
  const [scheduledFor, setScheduledFor] = useState('');
  const [assigneeId, setAssigneeId] = useState(item.assigneeId ?? staff.id);
  const command = useCaseCommand<{ scheduledFor: string; assigneeId?: string }>(item, '/v1/callbacks/{id}/schedule', (_, body) => `Scheduled callback ${item.id} for ${dateTime(body.scheduledFor)} UTC.`, onDone);
  const valid = scheduledFor !== '' && !Number.isNaN(Date.parse(scheduledFor));
  return (
    <CommandForm
      label={`Schedule callback ${item.id}`}
      submit="Schedule"
      pending={command.isPending}
      error={command.error}
      onSubmit={() => valid && command.mutate({ scheduledFor: instantOf(scheduledFor), ...(assigneeId.trim() ? { assigneeId: assigneeId.trim() } : {}) })}
    >
      <TextInput type="datetime-local" label="Call at (your local time)" value={scheduledFor} onChange={(event) => setScheduledFor(event.currentTarget.value)} required w={260} />
      <TextInput label="Assignee (staff id)" value={assigneeId} onChange={(event) => setAssigneeId(event.currentTarget.value)} maxLength={128} />
    </CommandForm>
  );
}

function CompleteForm({ item, onDone }: { item: CaseItem; onDone: OnDone }) {
  const [outcome, setOutcome] = useState<string | null>('resolved');
  const [minutes, setMinutes] = useState<string | number>('');
  const [notes, setNotes] = useState('');
  const command = useCaseCommand<{ outcome: string; durationSeconds?: number; notes?: string }>(item, '/v1/callbacks/{id}/completion', (_, body) => `Completed callback ${item.id}: ${body.outcome.replace(/_/g, ' ')}.`, onDone);
  return (
    <CommandForm
      label={`Complete callback ${item.id}`}
      submit="Record the call"
      pending={command.isPending}
      error={command.error}
      onSubmit={() =>
        command.mutate({ outcome: outcome ?? 'resolved', ...(minutes !== '' ? { durationSeconds: Math.round(Number(minutes) * 60) } : {}), ...(notes.trim() ? { notes: notes.trim() } : {}) })
      }
    >
      <Select label="Outcome" data={CALLBACK_OUTCOMES.map((value) => ({ value, label: value.replace(/_/g, ' ') }))} value={outcome} onChange={setOutcome} allowDeselect={false} required w={220} />
      <NumberInput label="Call length (minutes)" value={minutes} onChange={setMinutes} min={0} max={1440} w={180} />
      <Textarea label="Notes" value={notes} onChange={(event) => setNotes(event.currentTarget.value)} maxLength={4000} autosize minRows={2} />
    </CommandForm>
  );
}

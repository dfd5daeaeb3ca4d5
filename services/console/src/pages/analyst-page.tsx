import { Alert, Button, Card, Group, Loader, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, apiBlob, ApiError, pathOf } from '../api/client';
import type { MetricsGroup, SegmentMovements, SegmentTable, ServiceMetrics } from '../api/types';
import { date, money } from '../format';
import { MetricsCharts } from '../metrics/metrics-charts';
import { RfGrid } from '../segments/rf-grid';
import { segmentLabel } from '../segments/vocabulary';
import { useSession } from '../session';

/** A date input (YYYY-MM-DD) as the instant at the end of that day, UTC; empty means "latest". */
const endOfDay = (day: string) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59Z` : undefined);
const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);
const minutes = (value: number | null) => (value === null ? '—' : `${Math.round(value).toLocaleString('en-GB')} min`);

/** Segments and service metrics: aggregates and customer ids only, never a personal field. */
export function AnalystPage() {
  const { staff } = useSession();
  const seesSegments = staff.role === 'analyst' || staff.role === 'admin';
  return (
    <Stack>
      <Title order={1} size="h3">
        Analytics
      </Title>
      {seesSegments ? (
        <>
          <SegmentsSection />
          <MovementsSection />
        </>
      ) : (
        <Text size="sm" c="gray.7">
          Value segments are shown to analysts and admins.
        </Text>
      )}
      <MetricsSection />
    </Stack>
  );
}

function SegmentsSection() {
  const [day, setDay] = useState('');
  const asOf = endOfDay(day);
  const table = useQuery({
    queryKey: ['segment-table', asOf],
    queryFn: ({ signal }) => api<SegmentTable>(pathOf('/v1/segments', {}, { asOf }), { signal }),
    placeholderData: keepPreviousData,
  });
  const data = table.data;
  return (
    <Card withBorder component="section" aria-labelledby="segments-title">
      <Title order={2} size="h5" id="segments-title">
        Segments
      </Title>
      <Group align="flex-end" mt="xs">
        <TextInput type="date" label="As of (end of day, UTC)" description="Empty: the latest snapshot" value={day} onChange={(event) => setDay(event.currentTarget.value)} w={220} />
      </Group>
      {table.isPending && <Loader size="sm" role="status" aria-label="Loading segments" />}
      {table.error && (
        <Alert color={table.error instanceof ApiError && table.error.status === 404 ? 'yellow' : 'red'} role="alert" mt="xs">
          {table.error.message}
        </Alert>
      )}
      {data && (
        <>
          <Text size="sm" mt="xs" data-testid="segments-basis">
            Snapshot of {date(data.snapshotAsOf)}
            {data.nearestEarlier ? ` (the nearest at or before ${date(data.asOf)})` : ''}: {data.customers.toLocaleString('en-GB')} customers, {data.scored.toLocaleString('en-GB')} scored,{' '}
            {data.excluded.toLocaleString('en-GB')} excluded (no profiling consent).
          </Text>
          <Table mt="xs" striped aria-label="Segment table" data-testid="segment-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Segment</Table.Th>
                <Table.Th ta="right">Customers</Table.Th>
                <Table.Th ta="right">Share</Table.Th>
                <Table.Th ta="right">Net spend</Table.Th>
                <Table.Th ta="right">Avg order</Table.Th>
                <Table.Th ta="right">Avg recency</Table.Th>
                <Table.Th>Export</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.segments.map((line) => (
                <Table.Tr key={line.segment} data-testid="segment-row" data-segment={line.segment}>
                  <Table.Td>{segmentLabel(line.segment)}</Table.Td>
                  <Table.Td ta="right" data-testid="segment-customers">
                    {line.customers.toLocaleString('en-GB')}
                  </Table.Td>
                  <Table.Td ta="right">{percent(line.share)}</Table.Td>
                  <Table.Td ta="right">{money(line.netSpend, data.currency)}</Table.Td>
                  <Table.Td ta="right">{line.averageOrderValue === null ? '—' : money(line.averageOrderValue, data.currency)}</Table.Td>
                  <Table.Td ta="right">{line.averageRecencyDays === null ? '—' : `${line.averageRecencyDays} days`}</Table.Td>
                  <Table.Td>{line.customers > 0 && <CsvExport segment={line.segment} asOf={data.snapshotAsOf} />}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <RfGrid table={data} />
        </>
      )}
    </Card>
  );
}

/** Downloads the segment's members as CSV (the API streams it for Accept: text/csv). */
function CsvExport({ segment, asOf }: { segment: string; asOf: string }) {
  const download = useMutation({
    mutationFn: () => apiBlob(pathOf('/v1/segments/{segment}/customers', { segment }, { asOf }), 'text/csv'),
    onSuccess: (blob) => {
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `${segment}-${asOf.slice(0, 10)}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <Group gap={4}>
      <Button size="compact-xs" variant="outline" onClick={() => download.mutate()} loading={download.isPending} aria-label={`Download ${segmentLabel(segment)} as CSV`}>
        CSV
      </Button>
      {download.error && (
        <Text size="xs" c="red.9" role="alert">
          {download.error.message}
        </Text>
      )}
    </Group>
  );
}

function MovementsSection() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const fromAt = endOfDay(from);
  const toAt = endOfDay(to);
  const movements = useQuery({
    queryKey: ['segment-movements', fromAt, toAt],
    queryFn: ({ signal }) => api<SegmentMovements>(pathOf('/v1/segments/movements', {}, { from: fromAt, to: toAt }), { signal }),
    enabled: fromAt !== undefined && toAt !== undefined,
  });
  const data = movements.data;
  const segments = data ? Object.keys(data.matrix) : [];
  return (
    <Card withBorder component="section" aria-labelledby="movements-title">
      <Title order={2} size="h5" id="movements-title">
        Movements between two snapshots
      </Title>
      <Group align="flex-end" mt="xs">
        <TextInput type="date" label="Movements from (end of day, UTC)" value={from} onChange={(event) => setFrom(event.currentTarget.value)} w={200} />
        <TextInput type="date" label="Movements to (end of day, UTC)" value={to} onChange={(event) => setTo(event.currentTarget.value)} w={220} />
      </Group>
      {movements.isFetching && <Loader size="sm" role="status" aria-label="Loading movements" />}
      {movements.error && (
        <Alert color="red" role="alert" mt="xs">
          {movements.error.message}
        </Alert>
      )}
      {data && (
        <>
          <Text size="sm" mt="xs" data-testid="movements-moved">
            {data.moved.toLocaleString('en-GB')} customers changed segment from the snapshot of {date(data.from.snapshotAsOf)} to that of {date(data.to.snapshotAsOf)}.
          </Text>
          <Table.ScrollContainer minWidth={900}>
            <Table withTableBorder withColumnBorders fz="xs" aria-label="Segment movements, rows from, columns to">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>from \ to</Table.Th>
                  {segments.map((segment) => (
                    <Table.Th key={segment}>{segmentLabel(segment)}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {segments.map((source) => (
                  <Table.Tr key={source}>
                    <Table.Th>{segmentLabel(source)}</Table.Th>
                    {segments.map((target) => (
                      <Table.Td key={target} ta="right" c={source === target ? 'gray.7' : undefined} fw={source !== target && data.matrix[source]![target]! > 0 ? 700 : undefined}>
                        {data.matrix[source]![target]!.toLocaleString('en-GB')}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Card>
  );
}

const GROUPINGS = ['day', 'week', 'month', 'channel', 'category', 'severity', 'assignee'];
const isoDay = (instant: number) => new Date(instant).toISOString().slice(0, 10);

function MetricsSection() {
  const [from, setFrom] = useState(() => isoDay(Date.now() - 29 * 86_400_000));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const [groupBy, setGroupBy] = useState<string | null>('month');
  const fromAt = /^\d{4}-\d{2}-\d{2}$/.test(from) ? `${from}T00:00:00Z` : undefined;
  const toAt = endOfDay(to);
  const metrics = useQuery({
    queryKey: ['service-metrics', fromAt, toAt, groupBy],
    queryFn: ({ signal }) => api<ServiceMetrics>(pathOf('/v1/service/metrics', {}, { from: fromAt, to: toAt, groupBy: groupBy ?? undefined }), { signal }),
    enabled: fromAt !== undefined && toAt !== undefined,
    placeholderData: keepPreviousData,
  });
  const groups = metrics.data?.groups ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="metrics-title">
      <Title order={2} size="h5" id="metrics-title">
        Service metrics
      </Title>
      <Group align="flex-end" mt="xs">
        <TextInput type="date" label="Metrics from (UTC)" value={from} onChange={(event) => setFrom(event.currentTarget.value)} w={180} />
        <TextInput type="date" label="Metrics to (end of day, UTC)" value={to} onChange={(event) => setTo(event.currentTarget.value)} w={220} />
        <Select label="Group by" data={GROUPINGS} value={groupBy} onChange={setGroupBy} allowDeselect={false} w={160} />
      </Group>
      {metrics.error && (
        <Alert color="red" role="alert" mt="xs">
          {metrics.error.message}
        </Alert>
      )}
      {metrics.data && groups.length === 0 && (
        <Text size="sm" mt="xs">
          No case opened and no feedback given in this period.
        </Text>
      )}
      {groups.length > 0 && <MetricsCharts groups={groups} groupBy={groupBy ?? 'month'} />}
      {groups.length > 0 && (
        <SimpleGrid cols={1} mt="xs">
          <Table.ScrollContainer minWidth={1000}>
            <Table striped withTableBorder fz="sm" aria-label="Service metrics" data-testid="metrics-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{groupBy}</Table.Th>
                  <Table.Th ta="right">Complaints opened / resolved</Table.Th>
                  <Table.Th ta="right">Callbacks requested / completed</Table.Th>
                  <Table.Th ta="right">Breached cases</Table.Th>
                  <Table.Th ta="right">First response on time</Table.Th>
                  <Table.Th ta="right">First response p50 / p90 (business)</Table.Th>
                  <Table.Th ta="right">Resolution on time</Table.Th>
                  <Table.Th ta="right">Resolution p50 / p90 (business)</Table.Th>
                  <Table.Th ta="right">Callbacks on time</Table.Th>
                  <Table.Th ta="right">CSAT</Table.Th>
                  <Table.Th ta="right">NPS</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {groups.map((group) => (
                  <MetricsRow key={group.key} group={group} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </SimpleGrid>
      )}
    </Card>
  );
}

function MetricsRow({ group }: { group: MetricsGroup }) {
  const attainment = (clock: { measured: number; attainment: number | null }) => (clock.measured === 0 ? '—' : `${percent(clock.attainment)} of ${clock.measured}`);
  return (
    <Table.Tr data-testid="metrics-row">
      <Table.Td>{group.key}</Table.Td>
      <Table.Td ta="right" data-testid="metrics-complaints">
        {group.complaintsOpened} / {group.complaintsResolved}
      </Table.Td>
      <Table.Td ta="right">
        {group.callbacksRequested} / {group.callbacksCompleted}
      </Table.Td>
      <Table.Td ta="right" c={group.breachedCases > 0 ? 'red.9' : undefined}>
        {group.breachedCases}
      </Table.Td>
      <Table.Td ta="right">{attainment(group.firstResponse)}</Table.Td>
      <Table.Td ta="right">
        {minutes(group.firstResponse.businessMinutes.p50)} / {minutes(group.firstResponse.businessMinutes.p90)}
      </Table.Td>
      <Table.Td ta="right">{attainment(group.resolution)}</Table.Td>
      <Table.Td ta="right">
        {minutes(group.resolution.businessMinutes.p50)} / {minutes(group.resolution.businessMinutes.p90)}
      </Table.Td>
      <Table.Td ta="right">{attainment(group.callbackOnTime)}</Table.Td>
      <Table.Td ta="right">{group.csat.score === null ? '—' : `${group.csat.score.toFixed(1)} % (${group.csat.ratings})`}</Table.Td>
      <Table.Td ta="right">{group.nps.score === null ? '—' : `${group.nps.score.toFixed(0)} (${group.nps.answers})`}</Table.Td>
    </Table.Tr>
  );
}

import { Alert, Badge, Card, Group, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, pathOf } from '../api/client';
import type { Boundary, CustomerSegment } from '../api/types';
import { date, money } from '../format';
import { segmentLabel } from '../segments/vocabulary';
import { useSession } from '../session';

// Amounts in segments are minor units of the platform's base currency (GBP by default); the
// customer route does not name it, the table route does.
const BASE_CURRENCY = 'GBP';

/** The customer's value segment as of the latest snapshot, with the explanation the API gives. */
export function SegmentPanel({ customerId }: { customerId: string }) {
  const { staff } = useSession();
  const allowed = staff.role === 'analyst' || staff.role === 'admin';
  const segment = useQuery({
    queryKey: ['segment', customerId],
    queryFn: ({ signal }) => api<CustomerSegment>(pathOf('/v1/customers/{customerId}/segment', { customerId }), { signal }),
    enabled: allowed,
  });
  const notThere = segment.error instanceof ApiError && segment.error.status === 404;

  return (
    <Card withBorder component="section" aria-labelledby="segment-title">
      <Title order={2} size="h5" id="segment-title">
        Value segment
      </Title>
      {!allowed && (
        <Text size="sm" c="gray.7" mt="xs">
          Value segments are shown to analysts and admins.
        </Text>
      )}
      {allowed && segment.isPending && <Loader size="sm" role="status" aria-label="Loading segment" />}
      {notThere && (
        <Text size="sm" mt="xs" data-testid="segment-missing">
          {segment.error?.message}
        </Text>
      )}
      {segment.error && !notThere && (
        <Alert color="red" role="alert" mt="xs">
          {segment.error.message}
        </Alert>
      )}
      {segment.data && <SegmentFacts segment={segment.data} />}
    </Card>
  );
}

function SegmentFacts({ segment }: { segment: CustomerSegment }) {
  const basis = segment.nearestEarlier ? `snapshot of ${date(segment.snapshotAsOf)} (nearest before ${date(segment.asOf)})` : `snapshot of ${date(segment.snapshotAsOf)}`;
  if (segment.excluded) {
    return (
      <>
        <Badge color="gray.8" mt="xs" data-testid="segment-name">
          excluded
        </Badge>
        <Text size="sm" mt="xs">
          {segment.explanation.reason}
        </Text>
        <Text size="xs" c="gray.7">
          {basis}
        </Text>
      </>
    );
  }
  const { scores, measures, flags, model, explanation } = segment;
  return (
    <>
      <Group gap="xs" mt="xs">
        <Badge color="indigo.9" size="lg" data-testid="segment-name">
          {segmentLabel(segment.segment)}
        </Badge>
        {scores && <Text size="sm" data-testid="segment-scores">{`R ${scores.r} · F ${scores.f} · M ${scores.m}`}</Text>}
        {flags.growing && <Badge color="teal.9">growing</Badge>}
        {flags.negativeValue && <Badge color="red.9">negative value</Badge>}
        {flags.topNetValueQuintile && <Badge color="grape.9">top net-value quintile</Badge>}
      </Group>
      <Text size="xs" c="gray.7" mt={4}>
        {basis}
      </Text>
      <Table mt="xs" variant="vertical" layout="fixed" aria-label="Segment measures">
        <Table.Tbody>
          <Row label="Recency" value={measures.recencyDays === null ? '—' : `${measures.recencyDays} days since the last order`} />
          <Row label="Frequency" value={`${measures.frequency} orders`} />
          <Row label="Net spend" value={money(measures.monetary, BASE_CURRENCY)} />
          <Row label="Cost to serve" value={money(measures.costToServe, BASE_CURRENCY)} />
          <Row label="Net value" value={money(measures.netValue, BASE_CURRENCY)} />
          <Row label="P(alive)" value={model.pAlive === null ? 'not estimated' : `${(model.pAlive * 100).toFixed(1)} %`} />
          <Row label="Expected orders, 90 days" value={model.expectedPurchases90d === null ? 'not estimated' : model.expectedPurchases90d.toFixed(2)} />
          <Row label="12-month CLV" value={model.clv === null ? 'not estimated' : money(model.clv, BASE_CURRENCY)} />
        </Table.Tbody>
      </Table>
      <Title order={3} size="h6" mt="md">
        Why this segment
      </Title>
      <Text size="sm" data-testid="segment-rule">
        {scores
          ? `${segmentLabel(explanation.rule.segment)}: R×F matches ${explanation.rule.pattern} (this customer R ${scores.r}, F ${scores.f}).`
          : `${segmentLabel(explanation.rule.segment)}: ${explanation.rule.pattern}.`}
      </Text>
      <Text size="xs" c="gray.7" mt={4}>
        {explanation.formula}; n = {explanation.scored.toLocaleString('en-GB')}.
      </Text>
      {scores && (
        <Table mt="xs" aria-label="Quintile boundaries" fz="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Score</Table.Th>
              <Table.Th>R: days since last order</Table.Th>
              <Table.Th>F: orders</Table.Th>
              <Table.Th>M: net spend</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[1, 2, 3, 4, 5].map((score) => (
              <Table.Tr key={score} fw={score === scores.r || score === scores.f || score === scores.m ? 600 : undefined}>
                <Table.Td>{score}</Table.Td>
                <Table.Td>{band(explanation.boundaries.r, score, String, score === scores.r)}</Table.Td>
                <Table.Td>{band(explanation.boundaries.f, score, String, score === scores.f)}</Table.Td>
                <Table.Td>{band(explanation.boundaries.m, score, (value) => money(value, BASE_CURRENCY), score === scores.m)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}

function band(bands: readonly Boundary[], score: number, format: (value: number) => string, mine: boolean): string {
  const found = bands.find((candidate) => candidate.score === score);
  if (!found) return '—';
  const range = found.lowest === found.highest ? format(found.lowest) : `${format(found.lowest)} – ${format(found.highest)}`;
  return mine ? `${range} ◀` : range;
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Th w={190}>{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}

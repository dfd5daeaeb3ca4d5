import { BarChart, LineChart } from '@mantine/charts';
import { SimpleGrid, Text, Title } from '@mantine/core';
import type { MetricsGroup } from '../api/types';

const TIME_GROUPINGS = ['day', 'week', 'month'];
const share = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 10);

/**
 * The service metrics as charts: volumes per group as bars, and over time (day, week, month) the
 * SLA attainment, CSAT and NPS as trend lines. The table below the charts carries the same figures.
 */
export function MetricsCharts({ groups, groupBy }: { groups: readonly MetricsGroup[]; groupBy: string }) {
  const overTime = TIME_GROUPINGS.includes(groupBy);
  const rows = groups.map((group) => ({
    key: group.key,
    complaintsOpened: group.complaintsOpened,
    complaintsResolved: group.complaintsResolved,
    callbacksRequested: group.callbacksRequested,
    breachedCases: group.breachedCases,
    firstResponse: share(group.firstResponse.measured === 0 ? null : group.firstResponse.attainment),
    resolution: share(group.resolution.measured === 0 ? null : group.resolution.attainment),
    callbackOnTime: share(group.callbackOnTime.measured === 0 ? null : group.callbackOnTime.attainment),
    csat: group.csat.score,
    nps: group.nps.score,
  }));
  const percent = (value: number) => `${value.toFixed(1)} %`;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} mt="xs" data-testid="metrics-charts">
      <figure style={{ margin: 0 }} aria-labelledby="metrics-volumes-title">
        <Title order={3} size="h6" id="metrics-volumes-title">
          Cases per {groupBy}
        </Title>
        <BarChart
          h={220}
          data={rows}
          dataKey="key"
          series={[
            { name: 'complaintsOpened', label: 'Complaints opened', color: 'blue.8' },
            { name: 'complaintsResolved', label: 'Complaints resolved', color: 'teal.8' },
            { name: 'callbacksRequested', label: 'Callbacks requested', color: 'grape.8' },
            { name: 'breachedCases', label: 'Breached', color: 'red.8' },
          ]}
          withLegend
          role="img"
          aria-label={`Bar chart of cases per ${groupBy}: complaints opened and resolved, callbacks requested, breached cases`}
          data-testid="metrics-volumes-chart"
        />
      </figure>
      <figure style={{ margin: 0 }} aria-labelledby="metrics-trends-title">
        <Title order={3} size="h6" id="metrics-trends-title">
          {overTime ? `SLA attainment and satisfaction per ${groupBy}` : `SLA attainment per ${groupBy}`}
        </Title>
        {overTime ? (
          <LineChart
            h={220}
            data={rows}
            dataKey="key"
            series={[
              { name: 'firstResponse', label: 'First response on time', color: 'blue.8' },
              { name: 'resolution', label: 'Resolution on time', color: 'teal.8' },
              { name: 'callbackOnTime', label: 'Callbacks on time', color: 'grape.8' },
              { name: 'csat', label: 'CSAT', color: 'orange.8' },
              { name: 'nps', label: 'NPS', color: 'gray.8', strokeDasharray: '5 5' },
            ]}
            connectNulls
            withLegend
            valueFormatter={(value) => value.toFixed(1)}
            yAxisProps={{ domain: [-100, 100] }}
            role="img"
            aria-label={`Line chart per ${groupBy}: first response, resolution and callback attainment and CSAT in percent, NPS from -100 to 100`}
            data-testid="metrics-trends-chart"
          />
        ) : (
          <BarChart
            h={220}
            data={rows}
            dataKey="key"
            series={[
              { name: 'firstResponse', label: 'First response on time', color: 'blue.8' },
              { name: 'resolution', label: 'Resolution on time', color: 'teal.8' },
              { name: 'callbackOnTime', label: 'Callbacks on time', color: 'grape.8' },
            ]}
            valueFormatter={percent}
            yAxisProps={{ domain: [0, 100] }}
            withLegend
            role="img"
            aria-label={`Bar chart of SLA attainment in percent per ${groupBy}`}
            data-testid="metrics-trends-chart"
          />
        )}
        {overTime && rows.length < 2 && (
          <Text size="xs" c="gray.7">
            One {groupBy} only: choose a longer period or a shorter grouping for a trend.
          </Text>
        )}
      </figure>
    </SimpleGrid>
  );
}

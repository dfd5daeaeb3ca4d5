import { MatrixChart, type MatrixChartCell } from '@mantine/charts';
import { Table, Text, Title } from '@mantine/core';
import type { SegmentTable } from '../api/types';
import { cellsOf, segmentLabel, segmentOfCell } from './vocabulary';

const SCORES = [1, 2, 3, 4, 5];
const perCellText = (value: number) => value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
const HEAT = ['var(--mantine-color-blue-0)', 'var(--mantine-color-blue-1)', 'var(--mantine-color-blue-2)', 'var(--mantine-color-blue-3)', 'var(--mantine-color-blue-4)'];

/**
 * The R×F grid: each cell is labelled with the segment its scores fall in, coloured by that
 * segment's customers per cell (the API counts customers per segment, not per cell).
 */
export function RfGrid({ table }: { table: SegmentTable }) {
  const perCell = new Map(table.segments.map((line) => [line.segment, cellsOf(line.segment) ? line.customers / cellsOf(line.segment) : 0]));
  const max = Math.max(1, ...perCell.values());
  const cells: MatrixChartCell[] = SCORES.flatMap((f) => SCORES.map((r) => ({ x: `F ${f}`, y: `R ${r}`, value: perCell.get(segmentOfCell(r, f)) ?? 0 })));
  return (
    <>
      <Title order={3} size="h6" mt="md">
        R×F grid
      </Title>
      <Text size="xs" c="gray.7">
        Rows: recency score (5 = most recent); columns: frequency score. Darker: more customers per cell in that cell&apos;s segment.
      </Text>
      <MatrixChart
        data={cells}
        xLabels={SCORES.map((f) => `F ${f}`)}
        yLabels={[...SCORES].reverse().map((r) => `R ${r}`)}
        domain={[0, max]}
        colors={['blue.1', 'blue.3', 'blue.5', 'blue.7', 'blue.9']}
        emptyColor="gray.1"
        cellSize={44}
        gap={3}
        withXLabels
        withYLabels
        xLabelsPosition="top"
        xLabelsRotation={0}
        xLabelsHeight={24}
        yLabelsWidth={36}
        withLegend
        legendLabels={['Fewer customers per cell', 'More']}
        withTooltip
        getTooltipLabel={(cell) => `${cell.y}, ${cell.x}: ${segmentLabel(segmentOfCell(Number(cell.y.slice(2)), Number(cell.x.slice(2))))}, ${perCellText(cell.value ?? 0)} per cell`}
        getCellProps={(cell) => ({ 'data-testid': 'rf-heat-cell', 'data-cell': `${cell.y.slice(2)}${cell.x.slice(2)}`, 'data-value': String(cell.value ?? 0) }) as React.ComponentProps<'rect'>}
        role="img"
        aria-label="R×F heat map: customers per cell, recency rows by frequency columns; the table below has the figures"
        data-testid="rf-heat-map"
        mt="xs"
      />
      <Table withTableBorder withColumnBorders layout="fixed" maw={640} mt={4} aria-label="R×F grid" data-testid="rf-grid">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>R \ F</Table.Th>
            {SCORES.map((f) => (
              <Table.Th key={f} ta="center">
                F {f}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[5, 4, 3, 2, 1].map((r) => (
            <Table.Tr key={r}>
              <Table.Th>R {r}</Table.Th>
              {SCORES.map((f) => {
                const segment = segmentOfCell(r, f);
                const value = perCell.get(segment) ?? 0;
                const shade = value === 0 ? 0 : Math.min(HEAT.length - 1, Math.ceil((value / max) * (HEAT.length - 1)));
                return (
                  <Table.Td key={f} ta="center" fz="xs" style={{ background: HEAT[shade], color: 'var(--mantine-color-black)' }} data-testid="rf-cell" data-cell={`${r}${f}`}>
                    {segmentLabel(segment)}
                    <br />
                    {Math.round(value).toLocaleString('en-GB')}/cell
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}


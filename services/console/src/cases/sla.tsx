import { Badge, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { CaseItem } from '../api/types';
import { dateTime } from '../format';
import { duration } from './duration';

/** The current instant, moving every `everyMs` so that countdowns tick. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export const metricLabel = (metric: string | null) => (metric ? metric.replace(/_/g, ' ') : 'no clock');

/** Whether the case's running clock is past its due instant (the scheduler may not have recorded the breach yet). */
export const overdue = (item: CaseItem, now: number) => item.dueAt !== null && Date.parse(item.dueAt) <= now;

/** "first response due in 2 h 5 min" or "resolution overdue by 10 min", red when breached or overdue. */
export function SlaCountdown({ item, now }: { item: CaseItem; now: number }) {
  if (!item.dueAt) {
    return (
      <Text size="sm" c="gray.7" data-testid="sla-countdown">
        {item.breached ? 'SLA breached · ' : ''}no running clock
      </Text>
    );
  }
  const left = Date.parse(item.dueAt) - now;
  const late = left <= 0;
  return (
    <Text size="sm" c={late || item.breached ? 'red.9' : undefined} fw={late || item.breached ? 700 : undefined} data-testid="sla-countdown" title={`Due ${dateTime(item.dueAt)} UTC`}>
      {metricLabel(item.dueMetric)} {late ? `overdue by ${duration(left)}` : `due in ${duration(left)}`}
      {item.breached && (
        <Badge color="red.9" ml="xs" size="sm">
          breached
        </Badge>
      )}
    </Text>
  );
}

export const CLOSED_STATUSES: readonly string[] = ['resolved', 'completed', 'cancelled'];

import { Alert, Badge, Button, Card, Code, Group, Loader, Modal, MultiSelect, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, pathOf } from '../api/client';
import type { RawEntry, TimelineEntry, TimelinePage } from '../api/types';
import { dateTime, money } from '../format';
import { canAct, useSession } from '../session';
import { EVENT_TYPES, CHANNELS } from './timeline-vocabulary';

const PAGE_SIZE = 100;

/** Live entries through the timeline's SSE stream, newest first, kept apart from the paged ones. */
function useLiveEntries(customerId: string): { live: TimelineEntry[]; connected: boolean } {
  const [live, setLive] = useState<TimelineEntry[]>([]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    setLive([]);
    const source = new EventSource(pathOf('/v1/customers/{customerId}/timeline/stream', { customerId }), { withCredentials: true });
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('entry', (message) => {
      const entry = JSON.parse((message as MessageEvent<string>).data) as TimelineEntry;
      setLive((entries) => (entries.some((known) => known.eventId === entry.eventId) ? entries : [entry, ...entries]));
    });
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [customerId]);
  return { live, connected };
}

export function TimelinePanel({ customerId }: { customerId: string }) {
  const { staff } = useSession();
  const [types, setTypes] = useState<string[]>([]);
  const [channels, setChannels] = useState<string[]>([]);
  const [rawOf, setRawOf] = useState<string>();
  const { live, connected } = useLiveEntries(customerId);
  const mayReadRaw = canAct(staff.role);
  const openRaw = useCallback((eventId: string) => setRawOf(eventId), []);

  const pages = useInfiniteQuery({
    queryKey: ['timeline', customerId, types, channels],
    queryFn: ({ pageParam, signal }) =>
      api<TimelinePage>(
        pathOf('/v1/customers/{customerId}/timeline', { customerId }, { limit: PAGE_SIZE, cursor: pageParam, types: types.join(','), channels: channels.join(',') }),
        { signal },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const entries = useMemo(() => {
    const paged = pages.data?.pages.flatMap((page) => page.entries) ?? [];
    const seen = new Set(paged.map((entry) => entry.eventId));
    const matches = (entry: TimelineEntry) => (types.length === 0 || types.includes(entry.type)) && (channels.length === 0 || (entry.channel !== null && channels.includes(entry.channel)));
    return [...live.filter((entry) => !seen.has(entry.eventId) && matches(entry)), ...paged];
  }, [pages.data, live, types, channels]);

  // For the first-paint benchmark: when the first page of rows is on screen.
  const hasRows = entries.length > 0;
  useEffect(() => {
    if (hasRows && performance.getEntriesByName('rapport:first-timeline-entries').length === 0) performance.mark('rapport:first-timeline-entries');
  }, [hasRows]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => 76, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= entries.length - 20 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [lastIndex, entries.length, pages]);

  return (
    <Card withBorder component="section" aria-labelledby="timeline-title">
      <Group justify="space-between">
        <Title order={2} size="h5" id="timeline-title">
          Timeline
        </Title>
        <Badge color={connected ? 'teal.9' : 'gray.8'} variant="filled" aria-live="polite">
          {connected ? 'live' : 'connecting…'}
        </Badge>
      </Group>
      <Group grow mt="xs">
        <MultiSelect label="Event types" placeholder="All types" data={EVENT_TYPES} value={types} onChange={setTypes} searchable clearable />
        <MultiSelect label="Channels" placeholder="All channels" data={CHANNELS} value={channels} onChange={setChannels} clearable />
      </Group>
      <Text size="sm" mt="xs" aria-live="polite" data-testid="timeline-count">
        {pages.isPending ? 'Loading…' : `${entries.length}${pages.hasNextPage ? '+' : ''} entries${live.length > 0 ? `, ${live.length} live` : ''}`}
      </Text>
      {pages.error && (
        <Alert color="red" role="alert">
          {pages.error.message}
        </Alert>
      )}
      {/* A plain native scroller: the virtualiser follows its scroll events directly. */}
      <div ref={scrollRef} role="region" tabIndex={0} aria-label="Timeline entries, newest first" style={{ maxHeight: '70vh', overflowY: 'auto', marginTop: 'var(--mantine-spacing-xs)' }}>
        <div role="list" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const entry = entries[item.index]!;
            return (
              <div
                key={entry.eventId}
                role="listitem"
                data-index={item.index}
                data-testid="timeline-entry"
                data-type={entry.type}
                ref={virtualizer.measureElement}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                <EntryRow entry={entry} onRaw={mayReadRaw ? openRaw : undefined} />
              </div>
            );
          })}
        </div>
        {pages.isFetchingNextPage && <Loader size="sm" role="status" aria-label="Loading more entries" />}
      </div>
      {rawOf && <RawEventModal customerId={customerId} eventId={rawOf} onClose={() => setRawOf(undefined)} />}
    </Card>
  );
}

/** Memoised: the virtualiser re-renders on every scroll frame, the rows themselves do not change. */
const EntryRow = memo(function EntryRow({ entry, onRaw }: { entry: TimelineEntry; onRaw?: (eventId: string) => void }) {
  return (
    <Group justify="space-between" wrap="nowrap" py={8} px={4} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
      <div style={{ minWidth: 0 }}>
        <Group gap={6}>
          <Badge variant="outline" color="blue.9" size="sm">
            {entry.type}
          </Badge>
          {entry.channel && (
            <Badge variant="outline" color="gray.8" size="sm">
              {entry.channel}
            </Badge>
          )}
          <Text size="xs" c="gray.8">
            {dateTime(entry.occurredAt)} · {entry.source}
            {entry.actor ? ` · by ${entry.actor.name ?? entry.actor.id}` : ''}
          </Text>
        </Group>
        <Text size="sm" truncate="end" title={entry.amount ? money(entry.amount.value, entry.amount.currency) : undefined}>
          {entry.summary}
        </Text>
      </div>
      {onRaw && (
        <Button variant="default" size="compact-xs" onClick={() => onRaw(entry.eventId)} aria-label={`Raw event of ${entry.type} at ${dateTime(entry.occurredAt)}`}>
          Raw
        </Button>
      )}
    </Group>
  );
});

function RawEventModal({ customerId, eventId, onClose }: { customerId: string; eventId: string; onClose: () => void }) {
  const raw = useQuery({
    queryKey: ['raw', customerId, eventId],
    queryFn: ({ signal }) => api<RawEntry>(pathOf('/v1/customers/{customerId}/timeline/{eventId}', { customerId, eventId }), { signal }),
  });
  return (
    <Modal opened onClose={onClose} title="Raw event" size="xl">
      {raw.isPending && <Loader size="sm" role="status" aria-label="Loading raw event" />}
      {raw.error && (
        <Alert color="red" role="alert">
          {raw.error.message}
        </Alert>
      )}
      {raw.data && (
        <Code block data-testid="raw-event">
          {JSON.stringify(raw.data.event, null, 2)}
        </Code>
      )}
    </Modal>
  );
}

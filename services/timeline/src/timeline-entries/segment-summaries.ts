import type { SegmentEvent } from '@rapport/contracts';
import type { EntryDetails } from './summaries';

const words = (segment: string) => segment.replace(/_/g, ' ');

/** The timeline's one line for a segments decision; scores only, no personal data. */
export function segmentEntryDetails(event: SegmentEvent): EntryDetails {
  switch (event.type) {
    case 'CustomerSegmentChanged': {
      const { from, to, scores } = event.data;
      const summary = `Segment ${words(from)} → ${words(to)}${scores ? ` (RFM ${scores.r}${scores.f}${scores.m})` : ''}`;
      return { summary, publicSummary: summary, channel: null, amount: null, currency: null, refs: [] };
    }
    default: {
      const unknown: never = event.type;
      throw new Error(`no timeline reading for ${String(unknown)}`);
    }
  }
}

export type Segment =
  | 'champions'
  | 'loyal'
  | 'potential_loyalists'
  | 'new'
  | 'promising'
  | 'need_attention'
  | 'about_to_sleep'
  | 'at_risk'
  | 'cant_lose'
  | 'hibernating'
  | 'prospect';

export interface SegmentRule {
  segment: Exclude<Segment, 'prospect'>;
  /** The rule as analysts write it: R digit(s) then F digit(s), e.g. `[1-2][3-4]`. */
  pattern: string;
  r: readonly [number, number];
  f: readonly [number, number];
}

/** The (R, F) grid: every one of the 25 cells lies in exactly one rule (a unit test checks it). */
export const SEGMENT_RULES: readonly SegmentRule[] = [
  { segment: 'champions', pattern: '5[4-5]', r: [5, 5], f: [4, 5] },
  { segment: 'loyal', pattern: '[3-4][4-5]', r: [3, 4], f: [4, 5] },
  { segment: 'potential_loyalists', pattern: '[4-5][2-3]', r: [4, 5], f: [2, 3] },
  { segment: 'new', pattern: '51', r: [5, 5], f: [1, 1] },
  { segment: 'promising', pattern: '41', r: [4, 4], f: [1, 1] },
  { segment: 'need_attention', pattern: '33', r: [3, 3], f: [3, 3] },
  { segment: 'about_to_sleep', pattern: '3[1-2]', r: [3, 3], f: [1, 2] },
  { segment: 'at_risk', pattern: '[1-2][3-4]', r: [1, 2], f: [3, 4] },
  { segment: 'cant_lose', pattern: '[1-2]5', r: [1, 2], f: [5, 5] },
  { segment: 'hibernating', pattern: '[1-2][1-2]', r: [1, 2], f: [1, 2] },
];

export const SEGMENTS: readonly Segment[] = [...SEGMENT_RULES.map((rule) => rule.segment), 'prospect'];

/** The rule that places scores (r, f); throws for scores outside 1–5, which the scoring never produces. */
export function segmentRuleOf(r: number, f: number): SegmentRule {
  const rule = SEGMENT_RULES.find((candidate) => r >= candidate.r[0] && r <= candidate.r[1] && f >= candidate.f[0] && f <= candidate.f[1]);
  if (!rule) throw new RangeError(`No segment for R ${r}, F ${f}: scores run from 1 to 5`);
  return rule;
}

export function segmentOf(r: number, f: number): Segment {
  return segmentRuleOf(r, f).segment;
}

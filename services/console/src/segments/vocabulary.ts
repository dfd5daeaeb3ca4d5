// The segment map as services/segments documents it (README, "Segment from (R, F)"): which
// segment each of the 25 R×F cells belongs to. Display data only; the platform decides segments.
export const SEGMENT_CELLS: Readonly<Record<string, readonly [readonly [number, number], readonly [number, number]]>> = {
  champions: [[5, 5], [4, 5]],
  loyal: [[3, 4], [4, 5]],
  potential_loyalists: [[4, 5], [2, 3]],
  new: [[5, 5], [1, 1]],
  promising: [[4, 4], [1, 1]],
  need_attention: [[3, 3], [3, 3]],
  about_to_sleep: [[3, 3], [1, 2]],
  at_risk: [[1, 2], [3, 4]],
  cant_lose: [[1, 2], [5, 5]],
  hibernating: [[1, 2], [1, 2]],
};

export function segmentOfCell(r: number, f: number): string {
  for (const [segment, [[r0, r1], [f0, f1]]] of Object.entries(SEGMENT_CELLS)) if (r >= r0 && r <= r1 && f >= f0 && f <= f1) return segment;
  return 'prospect';
}

export const cellsOf = (segment: string) => {
  const cells = SEGMENT_CELLS[segment];
  return cells ? (cells[0][1] - cells[0][0] + 1) * (cells[1][1] - cells[1][0] + 1) : 0;
};

/** `potential_loyalists` → `potential loyalists`. */
export const segmentLabel = (segment: string) => segment.replace(/_/g, ' ');

import { duration } from '../src/cases/duration';
import { cellsOf, SEGMENT_CELLS, segmentOfCell } from '../src/segments/vocabulary';

describe('SLA countdown lengths', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [93 * 60_000, '1 h 33 min'],
    [-(10 * 60_000 + 5_000), '10 min'],
    [47 * 3_600_000 + 59 * 60_000, '47 h 59 min'],
    [(9 * 24 + 18) * 3_600_000, '9 d 18 h'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('the R×F grid', () => {
  // The segment map in services/segments/README.md, cell by cell (R then F).
  const README_CELLS: Record<string, string[]> = {
    champions: ['54', '55'],
    loyal: ['34', '35', '44', '45'],
    potential_loyalists: ['42', '43', '52', '53'],
    new: ['51'],
    promising: ['41'],
    need_attention: ['33'],
    about_to_sleep: ['31', '32'],
    at_risk: ['13', '14', '23', '24'],
    cant_lose: ['15', '25'],
    hibernating: ['11', '12', '21', '22'],
  };

  it('places each of the 25 cells in exactly the segment the README names', () => {
    const seen: string[] = [];
    for (let r = 1; r <= 5; r += 1) {
      for (let f = 1; f <= 5; f += 1) {
        const segment = segmentOfCell(r, f);
        expect(README_CELLS[segment]).toContain(`${r}${f}`);
        seen.push(`${r}${f}`);
      }
    }
    expect(seen.sort()).toEqual(Object.values(README_CELLS).flat().sort());
  });

  it('counts the cells of each segment, 25 in all, and none for prospect', () => {
    for (const [segment, cells] of Object.entries(README_CELLS)) expect(cellsOf(segment)).toBe(cells.length);
    expect(Object.keys(SEGMENT_CELLS).reduce((sum, segment) => sum + cellsOf(segment), 0)).toBe(25);
    expect(cellsOf('prospect')).toBe(0);
    expect(segmentOfCell(0, 0)).toBe('prospect');
  });
});

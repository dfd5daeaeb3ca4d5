import { phoneSearchKey } from './queries';

describe('phone search key', () => {
  const stored = [...'447700900123'].reverse().join('');

  it.each(['+447700900123', '+44 7700 900123', '0044 7700 900123', '07700 900123', '(07700) 900-123', '7700900123'])('finds +447700900123 from %s', (q) => {
    const key = phoneSearchKey(q);
    expect(key.length).toBeGreaterThanOrEqual(6);
    expect(stored.startsWith(key)).toBe(true);
  });

  it('does not treat names, emails or short numbers as phones', () => {
    expect(['jo', 'jo@example.com', '12345', '+44 12', 'abc 123456'].map(phoneSearchKey)).toEqual(['', '', '', '', '']);
  });

  it('does not match a different number', () => {
    expect(stored.startsWith(phoneSearchKey('07700 900124'))).toBe(false);
  });
});

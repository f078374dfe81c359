import { formatDuration, formatRunId, parseRunId, statusFromLabel } from './sync.views';

describe('sync views', () => {
  it('formats durations like the seed', () => {
    expect(formatDuration(0)).toBe('0秒');
    expect(formatDuration(12_400)).toBe('12秒');
    expect(formatDuration(5 * 60_000 + 59_000)).toBe('5分钟');
    expect(formatDuration(3_600_000)).toBe('1小时');
    expect(formatDuration(3_900_000)).toBe('1小时5分钟');
  });

  it('round-trips run ids and maps status labels', () => {
    expect(formatRunId('12')).toBe('SYNC_12');
    expect(parseRunId('SYNC_12')).toBe('12');
    expect(parseRunId('SYNC_012')).toBeUndefined();
    expect(parseRunId('12')).toBeUndefined();
    expect(statusFromLabel('成功')).toBe('succeeded');
    expect(statusFromLabel('失败')).toBe('failed');
    expect(statusFromLabel('进行中')).toBe('running');
  });
});

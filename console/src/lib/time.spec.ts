import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { epochSeconds, formatTime } from './time';

const NOV_14_10H = Date.UTC(2025, 10, 14, 10, 0, 0) / 1000;
const utc = () => 0;
/** Central European Time in November: UTC+1, which getTimezoneOffset gives as -60. */
const cet = () => -60;

describe('epochSeconds', () => {
  it('given a datetime-local value, then epoch seconds in that zone', () => {
    expectEqual(epochSeconds('2025-11-14T10:00', utc), NOV_14_10H);
    expectEqual(epochSeconds('2025-11-14T11:00', cet), NOV_14_10H);
    expectEqual(epochSeconds('2025-11-14T10:00:30', utc), NOV_14_10H + 30);
  });

  it('given anything else, then null', () => {
    expectEqual(
      ['', '2025-11-14', 'yesterday', '2025-11-14 10:00'].map((v) => epochSeconds(v, utc)),
      [null, null, null, null],
    );
  });
});

describe('formatTime', () => {
  it('given epoch seconds, then the local date and time to the second', () => {
    expectEqual(formatTime(NOV_14_10H + 5.9, utc), '2025-11-14 10:00:05');
    expectEqual(formatTime(NOV_14_10H, cet), '2025-11-14 11:00:00');
  });
});

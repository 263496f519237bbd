import { expect } from '@jest/globals';

/**
 * Deep equality across realms: Jest runs each test file in its own VM context, so objects made by
 * JSON.parse or structuredClone inside the code under test have other prototypes than the test's literals,
 * and node:assert's deepStrictEqual tells them apart. Jest's toEqual compares structure only.
 */
export function expectEqual(actual: unknown, expected: unknown, message?: string): void {
  try {
    expect(actual).toEqual(expected);
  } catch (err) {
    if (message) (err as Error).message = `${message}\n${(err as Error).message}`;
    throw err;
  }
}

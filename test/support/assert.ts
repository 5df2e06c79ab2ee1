// Assertion helpers shared by the tests.

import assert from 'node:assert/strict';

/**
 * ACTUAL has every key of EXPECTED with that value (deep strict equality, so a missing key
 * fails); keys EXPECTED does not name are not looked at. One diff names every wrong field.
 */
export function assertFields(actual: object | undefined, expected: Readonly<Record<string, unknown>>, message?: string): void {
  assert.ok(actual !== undefined, message ?? 'no object to check');
  const got = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]));
  assert.deepEqual(got, expected, message);
}

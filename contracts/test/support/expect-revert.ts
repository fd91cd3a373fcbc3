import type { Interface } from 'ethers';

/**
 * Asserts that `action` reverts with the named custom error (and args, when
 * given), decoding revert data with `iface` so a different error fails the test.
 */
export async function expectRevert(action: Promise<unknown>, iface: Interface, errorName: string, args?: unknown[]): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected revert ${errorName}, but the call succeeded`);
  const data = (caught as { data?: unknown }).data;
  if (typeof data !== 'string') throw caught;
  const decoded = iface.parseError(data);
  expect(decoded?.name).toBe(errorName);
  if (args) expect(decoded ? [...decoded.args] : undefined).toEqual(args);
}

/** Bounded histories the FAKE providers keep for tests and reports. */

/**
 * Appends `item`, dropping the oldest entries past `max`.
 *
 * @example
 * const seen: string[] = [];
 * keepLast(seen, 'hello', 500);
 */
export function keepLast<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

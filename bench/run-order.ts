/** Repeat `r` starts at a different contender, so that each runs in every position: none always follows the same one. */
export function rotated<T>(items: readonly T[], r: number): T[] {
  const start = r % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

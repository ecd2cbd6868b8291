/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), so the
 * usual typos — a letter missing, doubled, wrong or two swapped (`--modle`) — are each one edit.
 */
export function measureEditDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The candidates nearest to `value`, nearest first (ties keep the candidates' order). */
export function rankByDistance(value: string, candidates: readonly string[]): string[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: measureEditDistance(value, candidate) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .map((entry) => entry.candidate);
}

/**
 * The one candidate `value` is most likely a typo of: within two edits and fewer than half its
 * length (so `--x` suggests nothing), and strictly nearer than any other; undefined otherwise.
 */
export function suggestCorrection(value: string, candidates: readonly string[]): string | undefined {
  const scored = candidates
    .filter((candidate) => candidate !== value)
    .map((candidate) => ({ candidate, distance: measureEditDistance(value, candidate) }))
    .sort((a, b) => a.distance - b.distance);
  const [best, next] = scored;
  if (!best || best.distance > 2 || best.distance * 2 >= Math.max(value.length, 2)) return undefined;
  if (next && next.distance === best.distance) return undefined;
  return best.candidate;
}

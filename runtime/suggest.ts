/** Spelling help for names a caller got almost right: model ids, params. */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(
        table[row - 1]![column]! + 1,
        table[row]![column - 1]! + 1,
        table[row - 1]![column - 1]! + cost,
      );
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1])
        best = Math.min(best, table[row - 2]![column - 2]! + 1);
      table[row]![column] = best;
    }
  }
  return table[a.length]![b.length]!;
}

/** The candidates nearest to `name` (at most `limit`, within `maxDistance` edits), nearest first, then by name. */
export function nearestNames(
  name: string,
  candidates: Iterable<string>,
  options: { readonly limit: number; readonly maxDistance: number },
): string[] {
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    // Cheap bound first: the length difference alone is a lower bound of the distance.
    if (Math.abs(candidate.length - name.length) > options.maxDistance) continue;
    const distance = editDistance(name, candidate);
    if (distance <= options.maxDistance) scored.push({ candidate, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || (x.candidate < y.candidate ? -1 : 1));
  return scored.slice(0, options.limit).map(({ candidate }) => candidate);
}

function foldSpelling(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, "");
}

/**
 * True when `name` reads as a misspelling of `known`: the same but for case, `_` and `-`
 * (`maxTokens`, `max-tokens`); one letter added, left out or two neighbours swapped (`temprature`,
 * `max_token`, `tmeperature`); or, for names of eight letters or more, up to two edits of any kind
 * (`tool_choise`). A changed letter in a short name is not one: `top_k` is a param of its own, not a
 * misspelled `top_p`.
 */
export function isMisspellingOf(name: string, known: string): boolean {
  if (name === known) return false;
  if (foldSpelling(name) === foldSpelling(known)) return true;
  const lowerName = name.toLowerCase();
  const lowerKnown = known.toLowerCase();
  const distance = editDistance(lowerName, lowerKnown);
  if (distance > 2) return false;
  if (Math.min(name.length, known.length) >= 8) return true;
  return distance === 1 && (lowerName.length !== lowerKnown.length || isSwapOf(lowerName, lowerKnown));
}

/** True when `a` is `b` with two neighbouring letters swapped. */
function isSwapOf(a: string, b: string): boolean {
  const differing: number[] = [];
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) differing.push(index);
  return differing.length === 2 && differing[1] === differing[0]! + 1;
}

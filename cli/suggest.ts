/** Spelling help for the command line: options, commands, regions, model ids (distance from the runtime's helper). */
import { editDistance } from "../runtime/suggest.js";

/** The candidates nearest to `value`, nearest first (ties keep the candidates' order). */
export function rankByDistance(value: string, candidates: readonly string[]): string[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: editDistance(value, candidate) }))
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
    .map((candidate) => ({ candidate, distance: editDistance(value, candidate) }))
    .sort((a, b) => a.distance - b.distance);
  const [best, next] = scored;
  if (!best || best.distance > 2 || best.distance * 2 >= Math.max(value.length, 2)) return undefined;
  if (next && next.distance === best.distance) return undefined;
  return best.candidate;
}

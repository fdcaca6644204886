/** Which subset an evaluation or a comparison opens on: the held-out one the tutorial reads. */

const named = (subsets: string[], pattern: RegExp) => subsets.find((s) => pattern.test(s));

/**
 * The run's validation subset when the evaluation has it, else a subset named for validation
 * ("validation", "Validation 5%", "val"), else one named for testing, else any that is not a
 * training subset; the training subset only when there is nothing else.
 */
export function openingSubset(subsets: string[], validation?: string | null): string | undefined {
  if (validation && subsets.includes(validation)) return validation;
  return named(subsets, /^valid|^val\b/i) ?? named(subsets, /^test/i) ?? subsets.find((s) => !/^train/i.test(s)) ?? subsets[0];
}

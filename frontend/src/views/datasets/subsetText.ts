/** A subset definition in words: "subset = T", "random 0–80 % (seed 0)", "top 5 % by t0". */
import type { Condition, SubsetSpec } from "../../api/types";

export const OPERATORS: { value: Condition["op"]; label: string }[] = [
  { value: "==", label: "is equal to" },
  { value: "!=", label: "is not equal to" },
  { value: "<", label: "is less than" },
  { value: "<=", label: "is at most" },
  { value: ">", label: "is greater than" },
  { value: ">=", label: "is at least" },
  { value: "in", label: "is one of" },
  { value: "contains", label: "contains text" },
];

const SYMBOLS: Record<Condition["op"], string> = {
  "==": "=",
  "!=": "≠",
  "<": "<",
  "<=": "≤",
  ">": ">",
  ">=": "≥",
  in: "in",
  contains: "contains",
};

function valueText(value: unknown): string {
  return Array.isArray(value) ? `{${value.join(", ")}}` : String(value);
}

export function describeSubset(subset: SubsetSpec): string {
  let text: string;
  if (subset.kind === "random") {
    text = `random ${subset.start ?? 0}–${subset.end} % (seed ${subset.seed ?? 0})`;
  } else if (subset.kind === "filter") {
    text = subset.conditions
      .map((c) => `${c.feature} ${SYMBOLS[c.op]} ${valueText(c.value)}`)
      .join(subset.combine === "or" ? " or " : " and ");
  } else {
    const amount = subset.percent != null ? `${subset.percent} %` : `${subset.count} rows`;
    text = `${subset.side ?? "top"} ${amount} by ${subset.feature}`;
  }
  if (subset.within?.length) text += `, within ${subset.within.join(", ")}`;
  if (subset.excluding?.length) text += `, excluding ${subset.excluding.join(", ")}`;
  return text;
}

/** The test form's values: one per model input, and the request row they make. */
import { exampleValue } from "./snippets";
import type { InputField } from "./types";

export type FieldValue = string | number | string[] | null;
export type FormValues = Record<string, FieldValue>;

/** Starting values: empty sequences and arrays, numbers at their mean, the first category. */
export function initialValues(inputs: InputField[]): FormValues {
  const values: FormValues = {};
  for (const field of inputs) {
    if (field.type === "integer" || field.type === "float") values[field.name] = exampleValue(field) as number;
    else if (field.type === "categorical") values[field.name] = field.categories?.[0] ?? null;
    else if (field.type === "multilabel") values[field.name] = [];
    else values[field.name] = "";
  }
  return values;
}

/** A pasted sequence without FASTA header lines, spaces or line breaks. */
export function cleanSequence(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith(">"))
    .join("")
    .replace(/\s+/g, "");
}

export interface BuiltRow {
  row: Record<string, unknown>;
  /** Inputs the browser already knows are wrong (arrays that are not JSON), by name. */
  problems: Record<string, string>;
}

/** The request row: blank inputs are left out, so the server names what is missing. */
export function buildRow(inputs: InputField[], values: FormValues): BuiltRow {
  const row: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of inputs) {
    const value = values[field.name];
    if (value === null || value === undefined || value === "") continue;
    if (field.type === "sequence") {
      const sequence = cleanSequence(String(value));
      if (sequence) row[field.name] = sequence;
    } else if (field.type === "array") {
      try {
        row[field.name] = JSON.parse(String(value));
      } catch {
        problems[field.name] = "not valid JSON: write nested lists of numbers, e.g. [[0, 1], [1, 0]]";
      }
    } else {
      row[field.name] = value;
    }
  }
  return { row, problems };
}

/** The row with examples in place of blank inputs, for the code snippets. */
export function snippetRow(inputs: InputField[], values: FormValues): Record<string, unknown> {
  const { row } = buildRow(inputs, values);
  return Object.fromEntries(inputs.map((field) => [field.name, row[field.name] ?? exampleValue(field)]));
}

/** What the model leaves out of a sequence longer than its window, as a sentence; null when it fits. */
export function windowNote(field: InputField, letters: number): string | null {
  const window = field.length ?? 0;
  if (window <= 0 || letters <= window) return null;
  const cut = letters - window;
  const where =
    field.alignment === "right"
      ? `the first ${cut} will be left out`
      : field.alignment === "center"
        ? `${cut} will be left out, split between both ends`
        : `the last ${cut} will be left out`;
  return `${letters} letters but the model reads ${window}: ${where}`;
}

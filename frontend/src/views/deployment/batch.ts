/**
 * Many rows for the test form: a pasted list of sequences (one per line, or FASTA), or a file —
 * FASTA (records into the model's sequence input) or CSV/TSV (a column per input, by name) —
 * read into request rows, and the answer written back as a CSV of the inputs and predictions
 * (`target_pred`, or `target_prob:class`, as `kozak predict` names them).
 * Rows are counted from 1, as the table and a spreadsheet show them.
 */
import { buildRow, type FormValues } from "./testForm";
import type { InputField, Prediction } from "./types";

/** More rows than this go through `kozak predict` or the API: the form's table stays quick. */
export const MAX_BATCH_ROWS = 1000;

export interface Batch {
  /** A name per row: the FASTA header, the CSV's id column, else "row N". */
  names: string[];
  rows: Record<string, unknown>[];
}

export class BatchError extends Error {}

/** FASTA records, or one sequence per non-blank line; `>` headers name the records. */
function sequences(text: string): { names: string[]; values: string[] } {
  const lines = text.split(/\r?\n/);
  if (!lines.some((l) => l.trimStart().startsWith(">"))) {
    const values = lines.map((l) => l.replace(/\s+/g, "")).filter(Boolean);
    return { names: values.map((_, i) => `row ${i + 1}`), values };
  }
  const names: string[] = [];
  const values: string[] = [];
  for (const line of lines) {
    if (line.trimStart().startsWith(">")) {
      names.push(line.trim().slice(1).split(/\s/)[0] || `record ${names.length + 1}`);
      values.push("");
    } else if (names.length) {
      values[values.length - 1] += line.replace(/\s+/g, "");
    } else if (line.trim()) {
      throw new BatchError("line 1: a FASTA file starts with a '>' header line");
    }
  }
  return { names, values };
}

/** Sequences pasted or read from a FASTA file, into the model's sequence input; the other inputs take the form's values. */
export function sequenceBatch(text: string, inputs: InputField[], values: FormValues): Batch {
  const field = inputs.find((f) => f.type === "sequence");
  if (!field) throw new BatchError("this model takes no sequence: give a CSV file with a column per input");
  const { names, values: found } = sequences(text);
  if (found.length === 0) throw new BatchError("no sequences: paste one per line, or FASTA records");
  const empty = found.findIndex((v) => !v);
  if (empty >= 0) throw new BatchError(`record ${empty + 1} (${names[empty]}) has no sequence`);
  const others = buildRow(inputs.filter((f) => f !== field), values).row;
  return { names, rows: found.map((sequence) => ({ ...others, [field.name]: sequence })) };
}

/** Fields of delimited text (quotes as a spreadsheet writes them), line by line. */
function delimited(text: string, separator: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === separator) record.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field), records.push(record), (record = []), (field = "");
    } else field += c;
  }
  if (field !== "" || record.length) record.push(field), records.push(record);
  return records.filter((r) => r.some((f) => f.trim() !== ""));
}

/** A CSV or TSV with a header naming the model's inputs (other columns are kept as they are). */
export function tableBatch(text: string, inputs: InputField[], separator = ","): Batch {
  const [header, ...body] = delimited(text, separator);
  if (!header || body.length === 0) throw new BatchError("the file has no rows under its header");
  const columns = header.map((h) => h.trim());
  const missing = inputs.filter((f) => !columns.includes(f.name)).map((f) => f.name);
  if (missing.length) throw new BatchError(`line 1: no column ${missing.map((m) => `'${m}'`).join(", ")}; the header names ${columns.join(", ")}`);
  const nameColumn = ["id", "name"].find((c) => columns.includes(c) && !inputs.some((f) => f.name === c));
  const names: string[] = [];
  const rows = body.map((cells, k) => {
    const line = k + 2; // the header is line 1
    if (cells.length !== columns.length) throw new BatchError(`line ${line}: ${cells.length} fields, the header has ${columns.length}`);
    const cell = (name: string) => cells[columns.indexOf(name)]!.trim();
    names.push(nameColumn ? cell(nameColumn) : `row ${k + 1}`);
    const row: Record<string, unknown> = {};
    for (const field of inputs) {
      const text = cell(field.name);
      if (text === "") continue; // the server names what is missing
      if (field.type === "integer" || field.type === "float") row[field.name] = Number(text);
      else if (field.type === "multilabel") row[field.name] = text.split(/[;|]/).map((s) => s.trim()).filter(Boolean);
      else if (field.type === "array") {
        try {
          row[field.name] = JSON.parse(text);
        } catch {
          throw new BatchError(`line ${line}, column '${field.name}': not JSON; write nested lists of numbers`);
        }
      } else row[field.name] = text;
    }
    return row;
  });
  return { names, rows };
}

/** A file's rows by its extension: FASTA (.fa, .fasta, .fna), TSV (.tsv) or CSV. */
export function fileBatch(fileName: string, text: string, inputs: InputField[], values: FormValues): Batch {
  const name = fileName.toLowerCase();
  if (/\.(fa|fasta|fna|ffn|faa)$/.test(name)) return sequenceBatch(text, inputs, values);
  if (name.endsWith(".tsv") || name.endsWith(".txt")) return tableBatch(text, inputs, "\t");
  if (name.endsWith(".csv")) return tableBatch(text, inputs, ",");
  throw new BatchError(`${fileName}: give a CSV, TSV or FASTA file (.csv, .tsv, .fa, .fasta)`);
}

/** The output columns of a prediction, as `kozak predict` writes them. */
export function predictionColumns(prediction: Prediction): [string, (p: Prediction) => string][] {
  return Object.entries(prediction).flatMap(([target, value]): [string, (p: Prediction) => string][] => {
    if (typeof value === "number") return [[`${target}_pred`, (p) => String(p[target])]];
    if (Array.isArray(value)) return value.map((_, i): [string, (p: Prediction) => string] => [`${target}_pred:${i}`, (p) => String((p[target] as number[])[i])]);
    return Object.keys(value).map((label): [string, (p: Prediction) => string] => [`${target}_prob:${label}`, (p) => String((p[target] as Record<string, number>)[label])]);
  });
}

function csvCell(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows and their predictions as CSV: name, the inputs, then the prediction columns. */
export function predictionsCsv(batch: Batch, inputs: InputField[], predictions: Prediction[]): string {
  const columns = predictions[0] ? predictionColumns(predictions[0]) : [];
  const header = ["name", ...inputs.map((f) => f.name), ...columns.map(([c]) => c)];
  const lines = batch.rows.map((row, i) => [batch.names[i], ...inputs.map((f) => row[f.name] ?? ""), ...columns.map(([, read]) => read(predictions[i]!))].map(csvCell).join(","));
  return [header.map(csvCell).join(","), ...lines].join("\n") + "\n";
}

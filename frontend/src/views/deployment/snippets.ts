/**
 * Ready-to-copy calls of a deployment, in the forms docs/deployment.md uses: cURL, Python
 * (`kozak.deployment_client.Deployment`) and the JSON body, for one example row.
 */
import type { InputField } from "./types";

export const TOKEN_PLACEHOLDER = "<TOKEN>";

/** The public forward URL as this browser reaches the server (a proxy may rename the host). */
export function forwardUrl(deploymentId: string): string {
  return `${window.location.origin}/deployment/${deploymentId}/forward`;
}

const EXAMPLE_MOTIF = "GATTACA";

/** A value of the field's type to show in snippets when the form has none. */
export function exampleValue(field: InputField): unknown {
  switch (field.type) {
    case "sequence": {
      const motif = field.alphabet === "rna" ? EXAMPLE_MOTIF.replaceAll("T", "U") : field.alphabet === "protein" ? "MKTAYIAK" : EXAMPLE_MOTIF;
      const length = Math.min(field.length ?? 50, 50);
      return motif.repeat(Math.ceil(length / motif.length)).slice(0, length);
    }
    case "integer":
      return Math.round(field.stats?.mean ?? 0);
    case "float":
      return Number((field.stats?.mean ?? 0).toPrecision(4));
    case "categorical":
      return field.categories?.[0] ?? "";
    case "multilabel":
      return field.categories?.slice(0, 1) ?? [];
    default:
      return zeros(field.shape ?? [1]);
  }
}

function zeros(shape: number[]): unknown {
  const [first = 1, ...rest] = shape;
  return Array.from({ length: first }, () => (rest.length ? zeros(rest) : 0));
}

/** A random sequence the field accepts, as long as its window allows. */
export function randomSequence(field: InputField): string {
  const letters = field.alphabet === "rna" ? "ACGU" : field.alphabet === "protein" ? "ACDEFGHIKLMNPQRSTVWY" : "ACGT";
  const length = field.length ?? 50;
  return Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]).join("");
}

/** JSON or Python source for a value; `python` swaps true/false/null for True/False/None. */
function literal(value: unknown, python: boolean): string {
  if (value === null || value === undefined) return python ? "None" : "null";
  if (typeof value === "boolean") return python ? (value ? "True" : "False") : String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, python)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${literal(v, python)}`);
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value);
}

export interface SnippetInput {
  deploymentId: string;
  row: Record<string, unknown>;
  target: string | null;
  token: string | null;
}

export function curlSnippet({ deploymentId, row, token }: SnippetInput): string {
  const body = `{"rows": [${literal(row, false)}]}`.replaceAll("'", "'\\''");
  return [
    `curl -s -X POST "${forwardUrl(deploymentId)}" \\`,
    `  -H "Authorization: Bearer ${token ?? TOKEN_PLACEHOLDER}" -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join("\n");
}

export function pythonSnippet({ deploymentId, row, target, token }: SnippetInput): string {
  const base = forwardUrl(deploymentId).replace(/\/forward$/, "");
  return [
    "from kozak.deployment_client import Deployment",
    "",
    "deployment = Deployment(",
    `    ${JSON.stringify(base)},`,
    `    ${JSON.stringify(token ?? TOKEN_PLACEHOLDER)},`,
    ")",
    `rows = deployment.predict([${literal(row, true)}])`,
    target ? `print(rows[0][${JSON.stringify(target)}])` : "print(rows[0])",
  ].join("\n");
}

export function jsonSnippet({ row }: SnippetInput): string {
  return JSON.stringify({ rows: [row] }, null, 2);
}

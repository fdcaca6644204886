/**
 * How metrics are named and read in the Evaluation view, and which of the project's reference
 * lines (a paper's value, a target) apply to a metric.
 */
import type { components } from "../../api/schema";
import { useProject } from "../../projects/queries";
import type { Epoch } from "./queries";

export type ReferenceLine = components["schemas"]["ReferenceLine"];

const LABELS: Record<string, string> = {
  loss: "Loss",
  mse: "MSE",
  mae: "MAE",
  rmse: "RMSE",
  r2: "R²",
  pearson_r: "Pearson r",
  pearson_r2: "Pearson r²",
  spearman: "Spearman ρ",
  accuracy: "Accuracy",
  binary_accuracy: "Binary accuracy",
  f1: "F1",
  precision: "Precision",
  recall: "Recall",
  roc_auc: "ROC AUC",
  pr_auc: "PR AUC",
  auroc: "ROC AUC",
  hamming_loss: "Hamming loss",
  subset_accuracy: "Subset accuracy",
  lr: "Learning rate",
  n: "Examples",
};

/** "val_pearson_r2" → "Validation Pearson r²"; "loss" → "Training loss". */
export function metricLabel(key: string): string {
  if (key.startsWith("val_")) return `Validation ${lowerFirst(bareLabel(key.slice(4)))}`;
  if (key === "loss") return "Training loss";
  return bareLabel(key);
}

export function bareLabel(key: string): string {
  return LABELS[key] ?? key.replace(/_/g, " ");
}

function lowerFirst(text: string): string {
  // Names and acronyms keep their capitals: "Validation Pearson r²", "Validation MSE".
  return /^(Pearson|Spearman|ROC|PR\b|MSE|MAE|RMSE|R²|F1)/.test(text) ? text : text[0]!.toLowerCase() + text.slice(1);
}

/** Whether a higher value is better (for highlighting the best of several). */
export function higherIsBetter(key: string): boolean {
  const bare = key.replace(/^val_/, "");
  return /r2|pearson|spearman|accuracy|f1|precision|recall|auc/.test(bare) && !/loss/.test(bare);
}

const NOT_PLOTTED = new Set(["epoch", "time_s", "lr", "loss", "val_loss"]);

/** The metrics of the epochs worth a curve, validation ones first. */
export function curveMetrics(epochs: Epoch[]): string[] {
  const keys = new Set<string>();
  for (const epoch of epochs) {
    for (const [key, value] of Object.entries(epoch.metrics)) {
      if (!NOT_PLOTTED.has(key) && (typeof value === "number" || value === null)) keys.add(key);
    }
  }
  return [...keys].sort((a, b) => Number(b.startsWith("val_")) - Number(a.startsWith("val_")) || a.localeCompare(b));
}

/** The metric shown by default: Pearson r² on validation where there is one. */
export function defaultMetric(keys: string[]): string | null {
  const preferred = ["val_pearson_r2", "val_accuracy", "val_f1", "val_binary_accuracy", "val_auroc", "val_mae"];
  return preferred.find((k) => keys.includes(k)) ?? keys[0] ?? null;
}

/** The metric keys a reference line can name: those the evaluations report. */
export const METRIC_KEYS = Object.keys(LABELS).filter((k) => !["loss", "lr", "n"].includes(k));

/** The project's lines that apply to a metric key, on any subset (`val_pearson_r2` as `pearson_r2`). */
export function linesFor(key: string, lines: readonly ReferenceLine[]): ReferenceLine[] {
  const bare = key.replace(/^val_/, "");
  return lines.filter((line) => line.metric === bare);
}

/** The project's reference lines (none while it loads). */
export function useReferenceLines(projectId: string): ReferenceLine[] {
  return useProject(projectId).data?.reference_lines ?? [];
}

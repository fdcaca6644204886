/**
 * The server's check of the graph and run settings against the dataset version, a moment after
 * each change: shapes, parameters and FLOPs per block, and every problem, as the canvas draws them.
 */
import { useDebouncedValue } from "@mantine/hooks";
import { useMemo } from "react";

import type { CanvasFacts } from "./BlockNode";
import type { GraphSpec } from "./graph";
import { useGraphCheck, type Block, type Issue, type RunSettings } from "./queries";

// problems about what flows into a block: its incoming edges are drawn red
const EDGE_CODES = new Set(["shape.mismatch", "shape.target_mismatch", "graph.too_many_inputs", "graph.input_has_inputs", "graph.cycle", "graph.target_has_outputs"]);

export function useServerCheck(projectId: string, versionId: string, spec: GraphSpec, settings: RunSettings, catalog: Map<string, Block>) {
  const specText = JSON.stringify(spec);
  const [checkedSpec] = useDebouncedValue(spec, 250);
  const [checkedSettings] = useDebouncedValue(settings, 250);
  const check = useGraphCheck(projectId, versionId, checkedSpec, checkedSettings);
  const stale = check.isPlaceholderData || check.isFetching || JSON.stringify(checkedSpec) !== specText;
  const facts: CanvasFacts = useMemo(() => {
    const issues = new Map<string, Issue[]>();
    for (const issue of check.data?.issues ?? []) {
      if (issue.node) issues.set(issue.node, [...(issues.get(issue.node) ?? []), issue]);
    }
    return {
      blocks: catalog,
      info: new Map((check.data?.nodes ?? []).map((n) => [n.id, n])),
      issues,
      stale,
    };
  }, [catalog, check.data, stale]);
  const issues = check.data?.issues ?? [];
  const errors = issues.filter((i) => i.severity === "error");
  const settingErrors: Record<string, string> = {};
  for (const issue of issues) {
    const field = (issue.details as { field?: unknown }).field;
    if (issue.code.startsWith("settings.") && typeof field === "string") {
      settingErrors[field] = issue.message.replace(new RegExp(`^${field.replace(/[.]/g, "\\.")}: `), "");
    }
  }
  const badTargets = new Set(errors.filter((i) => i.node && EDGE_CODES.has(i.code)).map((i) => i.node!));
  return { result: check.data, stale, facts, issues, errors, settingErrors, badTargets };
}

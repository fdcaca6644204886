/**
 * Per-sequence explanations of an experiment's checkpoint for rows of an evaluated subset (a
 * point of the scatter): `POST …/experiments/{id}/explain` with `dataset_rows`, cached per row,
 * method and checkpoint (the answer never changes for a stored checkpoint).
 */
import { useQuery } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import type { components } from "../../api/schema";
import { experimentKey, type Checkpoint } from "./queries";

export type Explanation = components["schemas"]["Explanation"];
export type Method = Explanation["method"];

/** The server's defaults, sent as they are (the generated body type lists every field). */
const DEFAULTS = { effect: "auto", baseline: "shuffle", gradient_correction: false, output: 0, steps: 50, seed: 0 } as const;

/** The row of a scatter point: `indices[i]` when the server sampled the points, else `i`. */
export interface ExplainedPoint {
  subset: string;
  row: number;
  measured: number;
  predicted: number;
}

export function useExplanation(projectId: string, experimentId: string, checkpoint: Checkpoint, point: ExplainedPoint | null, method: Method) {
  return useQuery({
    queryKey: [...experimentKey(projectId, experimentId), "explain", checkpoint, point?.subset, point?.row, method],
    enabled: point !== null,
    staleTime: Infinity,
    queryFn: () =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/explain", {
          params: { path: { project_id: projectId, experiment_id: experimentId } },
          body: {
            dataset_rows: { subset: point!.subset, rows: [point!.row] },
            method,
            checkpoint,
            ...DEFAULTS,
          },
        }),
      ),
  });
}

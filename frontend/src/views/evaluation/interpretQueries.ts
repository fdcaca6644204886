/**
 * Per-model interpretation of one checkpoint: its first-layer filters as motifs (with the top
 * logos drawn by the server) and a motif's effect by position and frame. Both are computed on
 * request (a few seconds), so they load only when their tab is open, and are kept per checkpoint.
 */
import { useQuery } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import type { components } from "../../api/schema";
import { experimentKey, type Checkpoint } from "./queries";

export type FilterMotifs = components["schemas"]["FilterMotifsPublic"];
export type FilterMotif = components["schemas"]["FilterMotif"];
export type MotifEffects = components["schemas"]["MotifEffects"];
export type EffectTable = components["schemas"]["EffectTable"];

/** Logos drawn per request: the table shows the most influential filters. */
export const LOGOS = 16;

const path = (projectId: string, experimentId: string) => ({
  path: { project_id: projectId, experiment_id: experimentId },
});

export function useFilterMotifs(projectId: string, experimentId: string, checkpoint: Checkpoint, enabled: boolean) {
  return useQuery({
    queryKey: [...experimentKey(projectId, experimentId), "filters", checkpoint],
    queryFn: () =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/filters", {
          params: path(projectId, experimentId),
          body: { checkpoint, logos: LOGOS },
        }),
      ),
    enabled,
    staleTime: Infinity,
    retry: false,
  });
}

export function useMotifEffects(projectId: string, experimentId: string, checkpoint: Checkpoint, motif: string, enabled: boolean) {
  return useQuery({
    queryKey: [...experimentKey(projectId, experimentId), "motif-effects", checkpoint, motif],
    queryFn: () =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/motif-effects", {
          params: path(projectId, experimentId),
          body: { checkpoint, settings: { motif, sequences: 100, draws: 4, seed: 0 } },
        }),
      ),
    enabled: enabled && motif.length > 0,
    staleTime: Infinity,
    retry: false,
  });
}

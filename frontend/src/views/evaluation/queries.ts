/**
 * The Evaluation view's server state: experiments (polled while any is active), one experiment,
 * its epochs, a stored evaluation, a comparison, and the actions (run, stop, resume, continue,
 * clone, evaluate, deploy). Actions refresh what they change; live epochs arrive over SSE (`live.ts`).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import type { components } from "../../api/schema";
import type { ExperimentSummary } from "../../api/types";
import { usePages } from "../../api/paging";
import { experimentListKey, experimentsKey } from "../../projects/queries";
import { activeJobsKey } from "../../shell/jobs";

export type Experiment = components["schemas"]["ExperimentPublic"];
export type ExperimentListItem = ExperimentSummary;
export type Epoch = components["schemas"]["EpochPublic"];
export type Comparison = components["schemas"]["ComparisonPublic"];
/** best, last, or any epoch of the run (`epoch-3`). */
export type Checkpoint = "best" | "last" | `epoch-${number}`;

/** Statuses with a job that may still change the experiment. */
export const ACTIVE = new Set(["queued", "running", "evaluating"]);

export function isActive(experiment: Pick<ExperimentSummary, "status" | "job">): boolean {
  return ACTIVE.has(experiment.status) || experiment.job !== null;
}

export const experimentKey = (projectId: string, experimentId: string) =>
  [...experimentsKey(projectId), experimentId] as const;
export const epochsKey = (projectId: string, experimentId: string) =>
  [...experimentKey(projectId, experimentId), "epochs"] as const;
export const evaluationKey = (projectId: string, experimentId: string) =>
  [...experimentKey(projectId, experimentId), "evaluation"] as const;

const path = (projectId: string, experimentId: string) => ({
  path: { project_id: projectId, experiment_id: experimentId },
});

export type ListQuery = {
  q?: string;
  status?: ExperimentSummary["status"][];
  sort?: string;
  best_metric?: string;
  best_min?: number;
  best_max?: number;
};
export const LIST_PAGE = 100;

export const pagesKey = (projectId: string, query: ListQuery) => [...experimentListKey(projectId), "pages", query] as const;

/**
 * The project's experiments as the server searches, filters and sorts them, a page at a time;
 * refetched every 3 s while a loaded one is queued, running or evaluating.
 */
export function useExperimentPages(projectId: string, query: ListQuery) {
  return usePages<ExperimentSummary>(
    pagesKey(projectId, query),
    (cursor) =>
      call(
        api.GET("/api/projects/{project_id}/experiments", {
          params: { path: { project_id: projectId }, query: { ...query, q: query.q || undefined, cursor, limit: LIST_PAGE } },
        }),
      ),
    { refetchInterval: (rows) => (rows.some(isActive) ? 3_000 : false) },
  );
}

/** How many experiments have each status, and the lowest validation loss. */
export function useExperimentCounts(projectId: string) {
  return useQuery({
    queryKey: [...experimentListKey(projectId), "counts"],
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/experiment-counts", { params: { path: { project_id: projectId } } })),
  });
}

export function useExperiment(projectId: string, experimentId: string) {
  return useQuery({
    queryKey: experimentKey(projectId, experimentId),
    queryFn: () => call(api.GET("/api/projects/{project_id}/experiments/{experiment_id}", { params: path(projectId, experimentId) })),
    // Its job ends a moment after the last event; poll until it has.
    refetchInterval: (query) => (query.state.data && isActive(query.state.data) ? 3_000 : false),
  });
}

export function useEpochs(projectId: string, experimentId: string) {
  return useQuery({
    queryKey: epochsKey(projectId, experimentId),
    queryFn: async () =>
      (await call(api.GET("/api/projects/{project_id}/experiments/{experiment_id}/epochs", { params: path(projectId, experimentId) }))).data,
  });
}

/** The stored evaluation of a checkpoint, or null when there is none yet (a 404). */
export function useEvaluation(projectId: string, experimentId: string, checkpoint: Checkpoint, enabled = true) {
  return useQuery({
    queryKey: [...evaluationKey(projectId, experimentId), checkpoint],
    queryFn: async () => {
      const { data, response } = await api.GET("/api/projects/{project_id}/experiments/{experiment_id}/evaluation", {
        params: { ...path(projectId, experimentId), query: { checkpoint } },
      });
      if (response.status === 404) return null;
      if (!response.ok || !data) throw new Error(`the server answered ${response.status}`);
      return data;
    },
    enabled,
  });
}

export function useComparison(projectId: string, ids: string[]) {
  return useQuery({
    queryKey: [...experimentsKey(projectId), "compare", ids],
    queryFn: () =>
      call(
        api.POST("/api/projects/{project_id}/experiments/compare", {
          params: { path: { project_id: projectId } },
          body: { experiment_ids: ids },
        }),
      ),
    enabled: ids.length >= 2,
    placeholderData: keepPreviousData,
  });
}

/** After an action: the experiment, the list and the running-jobs indicator change. */
export function refreshExperiment(client: QueryClient, projectId: string, experimentId?: string) {
  if (experimentId) void client.invalidateQueries({ queryKey: experimentKey(projectId, experimentId) });
  void client.invalidateQueries({ queryKey: experimentListKey(projectId) });
  void client.invalidateQueries({ queryKey: activeJobsKey(projectId) });
}

type Action = "run" | "stop" | "resume";

export function useExperimentAction(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: Action) => {
      const params = { params: path(projectId, experimentId) };
      if (action === "run") return call(api.POST("/api/projects/{project_id}/experiments/{experiment_id}/run", params));
      if (action === "stop") return call(api.POST("/api/projects/{project_id}/experiments/{experiment_id}/stop", params));
      return call(api.POST("/api/projects/{project_id}/experiments/{experiment_id}/resume", params));
    },
    onSettled: () => refreshExperiment(client, projectId, experimentId),
  });
}

export function useContinue(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (epochs: number) =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/continue", {
          params: path(projectId, experimentId),
          body: { epochs },
        }),
      ),
    onSettled: () => refreshExperiment(client, projectId, experimentId),
  });
}

export function useEvaluate(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (checkpoint: Checkpoint) =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/evaluate", {
          params: path(projectId, experimentId),
          body: { checkpoint, subsets: null },
        }),
      ),
    onSettled: () => refreshExperiment(client, projectId, experimentId),
  });
}

export interface CloneInput {
  name: string;
  withWeights: boolean;
  /** Run settings to change in the copy before it runs (a merge patch). */
  settings: Record<string, unknown> | null;
  run: boolean;
}

/** Clone, optionally change the copy's settings, optionally queue it; answers the copy. */
export function useClone(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, withWeights, settings, run }: CloneInput) => {
      let copy = await call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/clone", {
          params: path(projectId, experimentId),
          body: { name, with_weights: withWeights },
        }),
      );
      if (settings) {
        copy = await call(
          api.PATCH("/api/projects/{project_id}/experiments/{experiment_id}", {
            params: path(projectId, copy.id),
            body: { settings },
          }),
        );
      }
      if (run) await call(api.POST("/api/projects/{project_id}/experiments/{experiment_id}/run", { params: path(projectId, copy.id) }));
      return copy;
    },
    onSettled: () => refreshExperiment(client, projectId),
  });
}

export function useDeploy(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { experiment: string; checkpoint: string | number; name: string | null }) =>
      call(
        api.POST("/api/projects/{project_id}/deployments", {
          params: { path: { project_id: projectId } },
          body: { ...body, enabled: true },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["projects", projectId, "deployments"] }),
  });
}

/** Links for downloads (the session cookie authenticates a plain GET). */
export function predictionsUrl(projectId: string, experimentId: string, checkpoint: Checkpoint, subset?: string) {
  const query = new URLSearchParams({ checkpoint, ...(subset ? { subset } : {}) });
  return `/api/projects/${projectId}/experiments/${experimentId}/predictions?${query}`;
}

export function reportUrl(projectId: string, experimentId: string, checkpoint: Checkpoint) {
  return `/api/projects/${projectId}/experiments/${experimentId}/report?checkpoint=${checkpoint}`;
}

// ---- the evaluation's shapes ---------------------------------------------------------------

export type Scatter = components["schemas"]["Scatter"];
export type Residuals = components["schemas"]["Residuals"];

export interface Averaged {
  macro: number | null;
  micro?: number | null;
  per_class: (number | null)[];
}

export interface ClassificationMetrics {
  n: number;
  classes?: string[];
  labels?: string[];
  accuracy?: number;
  hamming_loss?: number;
  subset_accuracy?: number;
  threshold?: number;
  precision: Averaged;
  recall: Averaged;
  f1: Averaged;
  support: number[];
  roc_auc: Averaged;
  pr_auc: Averaged;
  confusion_matrix?: { classes: string[]; matrix: number[][] };
  roc_curves: ({ fpr: number[]; tpr: number[] } | null)[];
  pr_curves: ({ recall: number[]; precision: number[] } | null)[];
}

/** One target's evaluation: regression has scatter and residuals, classification only metrics. */
export type TargetEvaluation = components["schemas"]["TargetEvaluation"];
export type Evaluation = components["schemas"]["EvaluationPublic"];

export function isClassification(metrics: Record<string, unknown>): metrics is Record<string, unknown> & ClassificationMetrics {
  return "f1" in metrics && typeof metrics.f1 === "object";
}

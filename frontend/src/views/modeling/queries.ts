/**
 * The Modeling view's server state: the block catalog, presets, losses and run-settings schema
 * (static for a server's life), one experiment, and its edits, checks and runs.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import type { components } from "../../api/schema";
import { experimentListKey, experimentsKey } from "../../projects/queries";
import type { GraphSpec } from "./graph";

type Schemas = components["schemas"];
export type Block = Schemas["BlockPublic"];
export type Preset = Schemas["PresetPublic"];
export type Loss = Schemas["LossPublic"];
export type Experiment = Schemas["ExperimentPublic"];
export type GraphCheck = Schemas["ExperimentCheckPublic"];
export type Issue = Schemas["IssuePublic"];
export type NodeInfo = Schemas["NodeInfoPublic"];
export type WizardChoices = Schemas["ExperimentWizard"];
export type RunSettings = Record<string, unknown>;

const FOREVER = { staleTime: Infinity, gcTime: Infinity } as const;

export function useBlocks() {
  return useQuery({ queryKey: ["catalog", "blocks"], queryFn: () => call(api.GET("/api/blocks")), ...FOREVER });
}

export function usePresets() {
  return useQuery({ queryKey: ["catalog", "presets"], queryFn: () => call(api.GET("/api/presets")), ...FOREVER });
}

export function useLosses() {
  return useQuery({ queryKey: ["catalog", "losses"], queryFn: () => call(api.GET("/api/losses")), ...FOREVER });
}

export function useRunSettingsSchema() {
  return useQuery({
    queryKey: ["catalog", "run-settings"],
    queryFn: () => call(api.GET("/api/run-settings/schema")),
    ...FOREVER,
  });
}

/** What `precision: auto` runs in on this server for each device setting, and why. */
export function useAutoPrecision() {
  return useQuery({
    queryKey: ["catalog", "auto-precision"],
    queryFn: () => call(api.GET("/api/run-settings/precision")),
    ...FOREVER,
  });
}

/** A saved dataset version with its spec (features) and statistics; versions never change. */
export function useVersionDetails(projectId: string, datasetId: string | undefined, versionId: string | undefined) {
  return useQuery({
    // the Datasets view's key for the same version, so the two share the cache
    queryKey: ["projects", projectId, "datasets", datasetId, "versions", versionId],
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/datasets/{dataset}/versions/{version}", {
          params: { path: { project_id: projectId, dataset: datasetId!, version: versionId! } },
        }),
      ),
    enabled: Boolean(datasetId && versionId),
    staleTime: Infinity,
  });
}

const experimentKey = (projectId: string, experimentId: string) => [...experimentsKey(projectId), experimentId] as const;
const path = (projectId: string, experimentId: string) => ({ path: { project_id: projectId, experiment_id: experimentId } });

export function useExperiment(projectId: string, experimentId: string) {
  return useQuery({
    queryKey: experimentKey(projectId, experimentId),
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/experiments/{experiment_id}", { params: path(projectId, experimentId) })),
    // a queued or running experiment changes on its own: follow it
    refetchInterval: (q) => (["queued", "running", "evaluating"].includes(q.state.data?.status ?? "") ? 3_000 : false),
  });
}

export function useCreateFromWizard(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WizardChoices) =>
      call(api.POST("/api/projects/{project_id}/experiments/wizard", { params: { path: { project_id: projectId } }, body })),
    onSuccess: (experiment) => {
      client.setQueryData(experimentKey(projectId, experiment.id), experiment);
      void client.invalidateQueries({ queryKey: experimentListKey(projectId) });
    },
  });
}

export interface ExperimentEdit {
  name?: string;
  graph?: GraphSpec;
  settings?: RunSettings;
}

export function useUpdateExperiment(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ExperimentEdit) =>
      call(
        api.PATCH("/api/projects/{project_id}/experiments/{experiment_id}", {
          params: path(projectId, experimentId),
          body: body as Schemas["ExperimentUpdate"],
        }),
      ),
    onSuccess: (experiment, body) => {
      client.setQueryData(experimentKey(projectId, experimentId), experiment);
      if (body.name) void client.invalidateQueries({ queryKey: experimentListKey(projectId) });
    },
  });
}

export function useRunExperiment(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      call(api.POST("/api/projects/{project_id}/experiments/{experiment_id}/run", { params: path(projectId, experimentId) })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: experimentsKey(projectId) });
      void client.invalidateQueries({ queryKey: ["projects", projectId, "jobs"] });
    },
  });
}

export function useCloneExperiment(projectId: string, experimentId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      call(
        api.POST("/api/projects/{project_id}/experiments/{experiment_id}/clone", {
          params: path(projectId, experimentId),
          body: { name, with_weights: false },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: experimentListKey(projectId) }),
  });
}

/**
 * The server's check of a graph and run settings against the experiment's dataset version:
 * every node's output shape, parameters and FLOPs, the totals and every issue. The previous
 * answer stays on screen while the next one is on its way, so shapes never blink.
 */
export function useGraphCheck(projectId: string, versionId: string, graph: GraphSpec, settings: RunSettings) {
  return useQuery({
    queryKey: ["projects", projectId, "graph-check", versionId, graph, settings],
    queryFn: ({ signal }) =>
      call(
        api.POST("/api/projects/{project_id}/experiments/validate", {
          params: { path: { project_id: projectId } },
          body: { dataset_version_id: versionId, graph, settings },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: 60_000,
  });
}

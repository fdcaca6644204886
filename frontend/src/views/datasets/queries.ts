/**
 * The Datasets view's server state: datasets, drafts (their view and statistics), versions.
 *
 * Every draft edit answers with the new draft view; it replaces the cached view at once and
 * marks the draft's statistics stale, so counts and charts follow each edit. The drafts list is
 * refreshed on its own (`exact`), never with the drafts under it: a draft saved or discarded is
 * gone, and asking for it again would only answer 404.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import type { Draft } from "../../api/types";

export const PREVIEW_ROWS = 12;

const datasetsKey = (projectId: string) => ["projects", projectId, "datasets"] as const;
const draftsKey = (projectId: string) => ["projects", projectId, "drafts"] as const;
const draftKey = (projectId: string, draftId: string) => ["projects", projectId, "drafts", draftId] as const;
const versionKey = (projectId: string, datasetId: string, versionId: string) =>
  ["projects", projectId, "datasets", datasetId, "versions", versionId] as const;

const draftPath = (projectId: string, draftId: string) => ({ path: { project_id: projectId, draft_id: draftId } });

export function useDatasets(projectId: string) {
  return useQuery({
    queryKey: datasetsKey(projectId),
    queryFn: () =>
      // A project holds a handful of datasets: the views show them all (up to the page maximum).
      call(api.GET("/api/projects/{project_id}/datasets", { params: { path: { project_id: projectId }, query: { limit: 1000 } } })),
  });
}

export function useDrafts(projectId: string) {
  return useQuery({
    queryKey: draftsKey(projectId),
    queryFn: () => call(api.GET("/api/projects/{project_id}/drafts", { params: { path: { project_id: projectId } } })),
  });
}

export function useDraft(projectId: string, draftId: string) {
  return useQuery({
    queryKey: [...draftKey(projectId, draftId), "view"],
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/drafts/{draft_id}", {
          params: { ...draftPath(projectId, draftId), query: { rows: PREVIEW_ROWS } },
        }),
      ),
  });
}

/** Statistics of every feature, for all rows and per subset (null while the draft cannot be prepared). */
export function useDraftStats(projectId: string, draftId: string) {
  return useQuery({
    queryKey: [...draftKey(projectId, draftId), "stats"],
    queryFn: async () => {
      const view = await call(
        api.GET("/api/projects/{project_id}/drafts/{draft_id}", {
          params: { ...draftPath(projectId, draftId), query: { rows: 0, stats: true } },
        }),
      );
      return view.stats ?? null;
    },
    placeholderData: (previous) => previous,
  });
}

/** Put a draft view an edit returned into the cache, and refresh what depends on it. */
export function storeDraft(client: QueryClient, draft: Draft) {
  const key = draftKey(draft.project_id, draft.id);
  client.setQueryData([...key, "view"], draft);
  void client.invalidateQueries({ queryKey: [...key, "stats"] });
  void client.invalidateQueries({ queryKey: draftsKey(draft.project_id), exact: true });
}

/** A mutation whose request answers with the draft view (every draft edit does). */
export function useDraftEdit<T>(request: (input: T) => Promise<Draft>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: request, onSuccess: (draft) => storeDraft(client, draft) });
}

export function useCreateDraft(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      call(
        api.POST("/api/projects/{project_id}/drafts", {
          params: { path: { project_id: projectId } },
          body: { name, description: "" },
        }),
      ),
    onSuccess: (draft) => storeDraft(client, draft),
  });
}

export function useDeleteDraft(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (draftId: string) =>
      call(api.DELETE("/api/projects/{project_id}/drafts/{draft_id}", { params: draftPath(projectId, draftId) })),
    onSuccess: () => client.invalidateQueries({ queryKey: draftsKey(projectId), exact: true }),
  });
}

export function useSaveDraft(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (draftId: string) =>
      call(
        api.POST("/api/projects/{project_id}/drafts/{draft_id}/save", {
          params: draftPath(projectId, draftId),
          body: {},
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: draftsKey(projectId), exact: true });
      void client.invalidateQueries({ queryKey: datasetsKey(projectId) });
    },
  });
}

export function useEditVersion(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ datasetId, versionId }: { datasetId: string; versionId: string }) =>
      call(
        api.POST("/api/projects/{project_id}/datasets/{dataset}/versions/{version}/draft", {
          params: { path: { project_id: projectId, dataset: datasetId, version: versionId } },
        }),
      ),
    onSuccess: (draft) => storeDraft(client, draft),
  });
}

export function useDeleteDataset(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (datasetId: string) =>
      call(
        api.DELETE("/api/projects/{project_id}/datasets/{dataset}", {
          params: { path: { project_id: projectId, dataset: datasetId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: datasetsKey(projectId) }),
  });
}

export function useVersion(projectId: string, datasetId: string, versionId: string) {
  return useQuery({
    queryKey: versionKey(projectId, datasetId, versionId),
    staleTime: Infinity, // versions are immutable
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/datasets/{dataset}/versions/{version}", {
          params: { path: { project_id: projectId, dataset: datasetId, version: versionId } },
        }),
      ),
  });
}

export function useVersionDiff(projectId: string, datasetId: string, versionId: string, against: string | null) {
  return useQuery({
    queryKey: [...versionKey(projectId, datasetId, versionId), "diff", against],
    enabled: against !== null,
    staleTime: Infinity,
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/datasets/{dataset}/versions/{version}/diff", {
          params: {
            path: { project_id: projectId, dataset: datasetId, version: versionId },
            query: { against: against ?? "" },
          },
        }),
      ),
  });
}

/** The draft edits, each one request answering with the new view. */
export function draftRequests(projectId: string, draftId: string) {
  const params = draftPath(projectId, draftId);
  return {
    rename: (name: string) =>
      call(api.PATCH("/api/projects/{project_id}/drafts/{draft_id}", { params, body: { name } })),
    addUrl: (url: string) =>
      call(api.POST("/api/projects/{project_id}/drafts/{draft_id}/urls", { params, body: { url } })),
    removeFile: (filename: string) =>
      call(
        api.DELETE("/api/projects/{project_id}/drafts/{draft_id}/files/{filename}", {
          params: { path: { ...params.path, filename } },
        }),
      ),
  };
}

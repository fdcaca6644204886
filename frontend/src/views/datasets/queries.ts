/**
 * The Datasets view's server state: datasets, drafts (their view and statistics), versions.
 *
 * Every draft edit answers with the new draft view; it replaces the cached view at once and
 * marks the draft's statistics stale, so counts and charts follow each edit. The drafts list is
 * refreshed on its own (`exact`), never with the drafts under it: a draft saved or discarded is
 * gone, and asking for it again would only answer 404.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { usePages } from "../../api/paging";
import type { components } from "../../api/schema";
import type { Draft } from "../../api/types";

export type DatasetRecord = components["schemas"]["DatasetPublic"];

export const PREVIEW_ROWS = 12;

const datasetsKey = (projectId: string) => ["projects", projectId, "datasets"] as const;
const draftsKey = (projectId: string) => ["projects", projectId, "drafts"] as const;
const draftKey = (projectId: string, draftId: string) => ["projects", projectId, "drafts", draftId] as const;
const versionKey = (projectId: string, datasetId: string, versionId: string) =>
  ["projects", projectId, "datasets", datasetId, "versions", versionId] as const;

const draftPath = (projectId: string, draftId: string) => ({ path: { project_id: projectId, draft_id: draftId } });

export const DATASET_PAGE = 50;

type DatasetQuery = { q?: string; version?: string; sort?: string; limit?: number };

function fetchDatasets(projectId: string, query: DatasetQuery & { cursor?: string }) {
  return call(api.GET("/api/projects/{project_id}/datasets", { params: { path: { project_id: projectId }, query } }));
}

/** The project's datasets whose name holds `search`, newest first, a page at a time. */
export function useDatasets(projectId: string, search = "") {
  const q = search.trim() || undefined;
  return usePages([...datasetsKey(projectId), "pages", q ?? ""], (cursor) =>
    fetchDatasets(projectId, { q, cursor, sort: "-created", limit: DATASET_PAGE }),
  );
}

/** One page of the datasets as the server filters them (pickers, "the newest", look-ups). */
export function useDatasetSearch(projectId: string, query: DatasetQuery, enabled = true) {
  return useQuery({
    queryKey: [...datasetsKey(projectId), "search", query],
    queryFn: () => fetchDatasets(projectId, query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The newest dataset (null when the project has none), and how many there are. */
export function useLatestDataset(projectId: string) {
  const found = useDatasetSearch(projectId, { sort: "-created", limit: 1 });
  return { ...found, latest: found.data?.data[0] ?? null, count: found.data?.count ?? 0 };
}

/** One dataset with its versions, by id or name. */
export function useDataset(projectId: string, ref: string) {
  return useQuery({
    queryKey: [...datasetsKey(projectId), "one", ref],
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/datasets/{dataset}", { params: { path: { project_id: projectId, dataset: ref } } })),
    retry: false,
  });
}

/** The dataset holding a version, and that version (undefined while loading or when gone). */
export function useDatasetOfVersion(projectId: string, versionId: string) {
  const found = useDatasetSearch(projectId, { version: versionId, limit: 1 }, Boolean(versionId));
  const dataset = found.data?.data[0];
  return { dataset, version: dataset?.versions.find((v) => v.id === versionId) };
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

/**
 * The Deployment view's server state: the project's deployments, their usage, input schema and
 * test calls, and the experiments' epochs to deploy from.
 *
 * The list comes a page at a time (`usePages`); the view opens one deployment by its own request,
 * so it need not be on a loaded page. Usage is polled (`USAGE_REFRESH_MS`) so counts and charts
 * follow live traffic; every change to a deployment puts the answer into the cache at once.
 */
import { useMutation, useQueries, useQuery, useQueryClient, type InfiniteData, type QueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { usePages, type PageOf } from "../../api/paging";
import type { Answer, Deployment } from "./types";

export const USAGE_REFRESH_MS = 10_000;
export const DEPLOYMENT_PAGE = 50;

const listKey = (projectId: string) => ["projects", projectId, "deployments"] as const;
const pagesKey = (projectId: string) => [...listKey(projectId), "pages"] as const;
const latestKey = (projectId: string) => [...listKey(projectId), "latest"] as const;
const oneKey = (projectId: string, ref: string) => [...listKey(projectId), ref] as const;
const usageKey = (projectId: string, id: string, hours: number) =>
  ["projects", projectId, "deployments", id, "usage", hours] as const;
const path = (projectId: string, id: string) => ({ path: { project_id: projectId, deployment_id: id } });

function fetchDeployments(projectId: string, query: { cursor?: string; sort?: string; limit: number }) {
  return call(api.GET("/api/projects/{project_id}/deployments", { params: { path: { project_id: projectId }, query } }));
}

/** The project's deployments, oldest first, a page at a time. */
export function useDeployments(projectId: string) {
  return usePages(pagesKey(projectId), (cursor) => fetchDeployments(projectId, { cursor, limit: DEPLOYMENT_PAGE }));
}

/** The newest deployment (null when there is none): where the view opens. */
export function useLatestDeployment(projectId: string) {
  return useQuery({
    queryKey: latestKey(projectId),
    queryFn: async () => (await fetchDeployments(projectId, { sort: "-created", limit: 1 })).data[0] ?? null,
  });
}

/** One deployment by id or name (an error when there is no such one). */
export function useDeployment(projectId: string, ref: string | undefined) {
  return useQuery({
    queryKey: oneKey(projectId, ref ?? ""),
    enabled: Boolean(ref),
    retry: false,
    queryFn: () => call(api.GET("/api/projects/{project_id}/deployments/{deployment_id}", { params: path(projectId, ref ?? "") })),
  });
}

function fetchUsage(projectId: string, id: string, hours: number) {
  return call(
    api.GET("/api/projects/{project_id}/deployments/{deployment_id}/usage", {
      params: { ...path(projectId, id), query: { hours } },
    }),
  );
}

/** Per-minute usage of one deployment over the last `hours`, refreshed while shown. */
export function useUsage(projectId: string, id: string, hours: number) {
  return useQuery({
    queryKey: usageKey(projectId, id, hours),
    queryFn: () => fetchUsage(projectId, id, hours),
    refetchInterval: USAGE_REFRESH_MS,
    placeholderData: (previous) => previous,
  });
}

/** Requests of each deployment in the last 24 hours, by id (missing while loading). */
export function useRequestsToday(projectId: string, deployments: Deployment[]): Record<string, number> {
  const results = useQueries({
    queries: deployments.map((d) => ({
      queryKey: usageKey(projectId, d.id, 24),
      queryFn: () => fetchUsage(projectId, d.id, 24),
      refetchInterval: USAGE_REFRESH_MS,
    })),
  });
  const counts: Record<string, number> = {};
  results.forEach((result, i) => {
    if (result.data) counts[deployments[i]!.id] = result.data.requests;
  });
  return counts;
}

/** What the deployment's rows hold (loading it on the server the first time). */
export function useDeploymentSchema(projectId: string, id: string) {
  return useQuery({
    queryKey: ["projects", projectId, "deployments", id, "schema"],
    staleTime: Infinity, // a deployment's checkpoint never changes
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/deployments/{deployment_id}/schema", { params: path(projectId, id) })),
  });
}

export function useEpochs(projectId: string, experimentId: string | null) {
  return useQuery({
    queryKey: ["projects", projectId, "experiments", experimentId, "epochs"],
    enabled: experimentId !== null,
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/experiments/{experiment_id}/epochs", {
          params: { path: { project_id: projectId, experiment_id: experimentId ?? "" } },
        }),
      ),
  });
}

/** Refetch the list's pages and the newest (not the usage and schemas under each deployment). */
function refreshList(client: QueryClient, projectId: string) {
  void client.invalidateQueries({ queryKey: pagesKey(projectId), exact: true });
  void client.invalidateQueries({ queryKey: latestKey(projectId), exact: true });
}

/** Put a changed deployment into the cache (the answer never holds more than the list's fields). */
function store(client: QueryClient, deployment: Deployment) {
  const projectId = deployment.project_id;
  client.setQueryData(oneKey(projectId, deployment.id), deployment);
  client.setQueryData(pagesKey(projectId), (old: InfiniteData<PageOf<Deployment>> | undefined) =>
    old && {
      ...old,
      pages: old.pages.map((page) => ({ ...page, data: page.data.map((d) => (d.id === deployment.id ? { ...d, ...deployment } : d)) })),
    },
  );
  refreshList(client, projectId);
}

export interface NewDeployment {
  experiment: string;
  checkpoint: string | number;
  name?: string | null;
  enabled: boolean;
}

export function useCreateDeployment(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDeployment) =>
      call(api.POST("/api/projects/{project_id}/deployments", { params: { path: { project_id: projectId } }, body })),
    onSuccess: (created) => store(client, created),
  });
}

export function useUpdateDeployment(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; enabled?: boolean; name?: string }) =>
      call(api.PATCH("/api/projects/{project_id}/deployments/{deployment_id}", { params: path(projectId, id), body })),
    onSuccess: (changed) => store(client, changed),
  });
}

export function useRegenerateToken(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.POST("/api/projects/{project_id}/deployments/{deployment_id}/token", { params: path(projectId, id) })),
    onSuccess: (changed) => store(client, changed),
  });
}

export function useDeleteDeployment(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.DELETE("/api/projects/{project_id}/deployments/{deployment_id}", { params: path(projectId, id) })),
    onSuccess: async (_, id) => {
      client.removeQueries({ queryKey: oneKey(projectId, id), exact: true });
      refreshList(client, projectId);
      // The view then opens the newest: it must not be the one just deleted.
      await client.refetchQueries({ queryKey: latestKey(projectId), exact: true });
    },
  });
}

/** One test prediction through the `try` endpoint (members only; not counted as usage). */
export function useTryDeployment(projectId: string, id: string) {
  return useMutation({
    mutationFn: async (rows: Record<string, unknown>[]): Promise<Answer> => {
      const answer = (await call(
        api.POST("/api/projects/{project_id}/deployments/{deployment_id}/try", {
          params: path(projectId, id),
          body: { rows },
        }),
      )) as Partial<Answer>;
      return { rows: answer.rows ?? [], warnings: answer.warnings ?? [] };
    },
  });
}

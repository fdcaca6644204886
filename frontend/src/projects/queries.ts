/** Projects, their members, experiments and the user list, as TanStack queries and mutations. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";

import { api, call } from "../api/client";
import { usePages } from "../api/paging";
import type { components, operations } from "../api/schema";

export const projectsKey = ["projects"] as const;
const projectListKey = ["projects", "list"] as const;
const projectKey = (projectId: string) => ["projects", projectId] as const;
const membersKey = (projectId: string) => ["projects", projectId, "members"] as const;
export const experimentsKey = (projectId: string) => ["projects", projectId, "experiments"] as const;
/** Every list, search and count of a project's experiments (not the single experiments). */
export const experimentListKey = (projectId: string) => [...experimentsKey(projectId), "list"] as const;

/** The projects you are a member of whose name or description holds `search`, a page at a time. */
export function useProjects(search = "") {
  const q = search.trim();
  return usePages([...projectListKey, q], (cursor) =>
    call(api.GET("/api/projects", { params: { query: { q: q || undefined, cursor, limit: 60 } } })),
  );
}

export function useProject(projectId: string) {
  return useQuery({
    queryKey: projectKey(projectId),
    queryFn: () => call(api.GET("/api/projects/{project_id}", { params: { path: { project_id: projectId } } })),
  });
}

/** Replace a project's reference lines; the project (and so every plot that draws them) follows. */
export function useSetReferenceLines(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (lines: components["schemas"]["ReferenceLine"][]) =>
      call(api.PUT("/api/projects/{project_id}/reference-lines", { params: { path: { project_id: projectId } }, body: { lines } })),
    onSuccess: (project) => client.setQueryData(projectKey(projectId), project),
  });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; description: string }) => call(api.POST("/api/projects", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: projectListKey }),
  });
}

type ExperimentQuery = NonNullable<operations["experiments-list_experiments"]["parameters"]["query"]>;

/** One page of the project's experiments as the server filters and sorts them (pickers: capped). */
export function useExperimentSearch(projectId: string, query: Omit<ExperimentQuery, "cursor">, enabled = true) {
  return useQuery({
    queryKey: [...experimentListKey(projectId), "search", query],
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/experiments", { params: { path: { project_id: projectId }, query } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Names of the given experiments (one request; deleted ones are missing from the map). */
export function useExperimentNames(projectId: string, ids: string[]) {
  const wanted = [...new Set(ids.filter(Boolean))].sort().slice(0, 200);
  const found = useExperimentSearch(projectId, { id: wanted, limit: Math.max(1, wanted.length) }, wanted.length > 0);
  return useMemo(() => new Map((found.data?.data ?? []).map((e) => [e.id, e.name])), [found.data]);
}

/** The names in use that contain `stem`, to suggest a free one (`stem 2`, `stem 3`, ...). */
export function useTakenNames(projectId: string, stem: string, enabled = true) {
  const found = useExperimentSearch(projectId, { q: stem.trim() || undefined, limit: 1000 }, enabled);
  return useMemo(() => new Set((found.data?.data ?? []).map((e) => e.name)), [found.data]);
}

export type RecentExperiment = components["schemas"]["RecentExperiment"];

/** The most recently changed experiments over all your projects, newest first (one request). */
export function useRecentExperiments(limit = 8) {
  return useQuery({
    queryKey: ["experiments", "recent", limit],
    queryFn: () => call(api.GET("/api/experiments/recent", { params: { query: { limit } } })),
  });
}

export function useMembers(projectId: string, enabled = true) {
  return useQuery({
    queryKey: membersKey(projectId),
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/members", { params: { path: { project_id: projectId } } })),
    enabled,
  });
}

/** A creator as stored (a user id for sweeps and jobs, a name elsewhere) as the name to show. */
export function useUserName(projectId: string) {
  const members = useMembers(projectId);
  return useCallback(
    (creator: string) => members.data?.data.find((m) => m.user_id === creator)?.user ?? creator,
    [members.data],
  );
}

export function useUsers(enabled = true) {
  return useQuery({ queryKey: ["users"], queryFn: () => call(api.GET("/api/users")), enabled });
}

export function useSetMember(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { user: string; role: string }) =>
      call(api.PUT("/api/projects/{project_id}/members", { params: { path: { project_id: projectId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey(projectId) }),
  });
}

export function useRemoveMember(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: string) =>
      call(
        api.DELETE("/api/projects/{project_id}/members/{user_ref}", {
          params: { path: { project_id: projectId, user_ref: user } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: membersKey(projectId) }),
  });
}

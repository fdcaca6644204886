/** Projects, their members, experiments and the user list, as TanStack queries and mutations. */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { ExperimentSummary, Project } from "../api/types";

export const projectsKey = ["projects"] as const;
const projectKey = (projectId: string) => ["projects", projectId] as const;
const membersKey = (projectId: string) => ["projects", projectId, "members"] as const;
export const experimentsKey = (projectId: string) => ["projects", projectId, "experiments"] as const;

export function useProjects() {
  return useQuery({ queryKey: projectsKey, queryFn: () => call(api.GET("/api/projects")) });
}

export function useProject(projectId: string) {
  return useQuery({
    queryKey: projectKey(projectId),
    queryFn: () => call(api.GET("/api/projects/{project_id}", { params: { path: { project_id: projectId } } })),
  });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; description: string }) => call(api.POST("/api/projects", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: projectsKey, exact: true }),
  });
}

function fetchExperiments(projectId: string) {
  return call(
    api.GET("/api/projects/{project_id}/experiments", { params: { path: { project_id: projectId } } }),
  );
}

export function useExperiments(projectId: string) {
  return useQuery({ queryKey: experimentsKey(projectId), queryFn: () => fetchExperiments(projectId) });
}

export interface RecentExperiment {
  project: Project;
  experiment: ExperimentSummary;
}

/** The most recently changed experiments over the given projects, newest first. */
export function useRecentExperiments(projects: Project[], limit = 8) {
  const results = useQueries({
    queries: projects.map((project) => ({
      queryKey: experimentsKey(project.id),
      queryFn: () => fetchExperiments(project.id),
    })),
  });
  const recent: RecentExperiment[] = results.flatMap((result, i) =>
    (result.data?.data ?? []).map((experiment) => ({ project: projects[i]!, experiment })),
  );
  recent.sort((a, b) => b.experiment.updated_at.localeCompare(a.experiment.updated_at));
  return { recent: recent.slice(0, limit), loading: results.some((r) => r.isLoading) };
}

export function useMembers(projectId: string) {
  return useQuery({
    queryKey: membersKey(projectId),
    queryFn: () =>
      call(api.GET("/api/projects/{project_id}/members", { params: { path: { project_id: projectId } } })),
  });
}

export function useUsers() {
  return useQuery({ queryKey: ["users"], queryFn: () => call(api.GET("/api/users")) });
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

/**
 * The Design view's server state: the project's designs (a page at a time, polled while one
 * runs), the newest, one design, its result and the settings' JSON Schema; creating, stopping
 * and deleting; and a design's live rounds (SSE).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api, call } from "../../api/client";
import { usePages } from "../../api/paging";
import type { components } from "../../api/schema";

type Schemas = components["schemas"];
export type DesignRecord = Schemas["DesignPublic"];
export type DesignCreate = Schemas["DesignCreate"];
export type DesignResult = Schemas["DesignResult"];
export type DesignedSequence = Schemas["Design"];
export type DesignSchema = Schemas["DesignSchemaPublic"];

export const ACTIVE = ["queued", "running"];
export const DESIGN_PAGE = 50;
const listKey = (projectId: string) => ["projects", projectId, "designs"] as const;
const designKey = (projectId: string, id: string) => ["projects", projectId, "designs", id] as const;
const resultKey = (projectId: string, id: string) => ["projects", projectId, "designs", id, "result"] as const;
const path = (projectId: string, id: string) => ({ path: { project_id: projectId, design_id: id } });

const pollWhileActive = (design: DesignRecord | null | undefined) => (design && ACTIVE.includes(design.status) ? 2000 : false);

function fetchDesigns(projectId: string, query: { cursor?: string; sort?: string; limit: number }) {
  return call(api.GET("/api/projects/{project_id}/designs", { params: { path: { project_id: projectId }, query } }));
}

/** The project's designs, oldest first, a page at a time; polled while a loaded one runs. */
export function useDesigns(projectId: string) {
  return usePages([...listKey(projectId), "pages"], (cursor) => fetchDesigns(projectId, { cursor, limit: DESIGN_PAGE }), {
    refetchInterval: (designs) => (designs.some((d) => ACTIVE.includes(d.status)) ? 2000 : false),
  });
}

/** The newest design (null when there is none): where the view opens. */
export function useLatestDesign(projectId: string) {
  return useQuery({
    queryKey: [...listKey(projectId), "latest"],
    queryFn: async () => (await fetchDesigns(projectId, { sort: "-created", limit: 1 })).data[0] ?? null,
  });
}

/** One design by id or name, polled while it runs (an error when there is no such one). */
export function useDesign(projectId: string, ref: string | undefined) {
  return useQuery({
    queryKey: designKey(projectId, ref ?? ""),
    enabled: Boolean(ref),
    retry: false,
    queryFn: () => call(api.GET("/api/projects/{project_id}/designs/{design_id}", { params: path(projectId, ref ?? "") })),
    refetchInterval: (query) => pollWhileActive(query.state.data),
  });
}

export function useDesignResult(projectId: string, id: string, finished: boolean) {
  return useQuery({
    queryKey: resultKey(projectId, id),
    enabled: finished,
    queryFn: () => call(api.GET("/api/projects/{project_id}/designs/{design_id}/result", { params: path(projectId, id) })),
  });
}

export function useDesignSchema(projectId: string) {
  return useQuery({
    queryKey: ["projects", projectId, "designs", "schema"],
    staleTime: Infinity,
    queryFn: () => call(api.GET("/api/projects/{project_id}/designs/schema", { params: { path: { project_id: projectId } } })),
  });
}

export function useCreateDesign(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: DesignCreate) =>
      call(api.POST("/api/projects/{project_id}/designs", { params: { path: { project_id: projectId } }, body })),
    // The new design is cached at once, so navigating to it finds it before the list's refetch.
    onSuccess: (created) => {
      client.setQueryData(designKey(projectId, created.id), created);
      void client.invalidateQueries({ queryKey: listKey(projectId) });
    },
  });
}

export function useStopDesign(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.POST("/api/projects/{project_id}/designs/{design_id}/stop", { params: path(projectId, id) })),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey(projectId) }),
  });
}

export function useDeleteDesign(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const { error, response } = await api.DELETE("/api/projects/{project_id}/designs/{design_id}", {
        params: path(projectId, id),
      });
      if (error !== undefined || !response.ok) await call(Promise.resolve({ error, response, data: undefined }));
    },
    onSuccess: async (_, id) => {
      client.removeQueries({ queryKey: designKey(projectId, id) });
      // The view then opens the newest: it must not be the one just deleted.
      await client.invalidateQueries({ queryKey: listKey(projectId) });
    },
  });
}

export function exportUrl(projectId: string, id: string, format: "csv" | "fasta", prefix = "", suffix = ""): string {
  const query = new URLSearchParams({ format, prefix, suffix, starts: "false" });
  return `/api/projects/${projectId}/designs/${id}/export?${query.toString()}`;
}

/** Every design's prediction after each round, as the running design's events report it. */
export function useLiveRounds(projectId: string, id: string, active: boolean): number[][] {
  const client = useQueryClient();
  const [rounds, setRounds] = useState<number[][]>([]);
  useEffect(() => {
    setRounds([]);
    if (!active || typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/projects/${projectId}/designs/${id}/events`);
    source.addEventListener("design_round", (event) => {
      const data = JSON.parse((event as MessageEvent).data as string) as { round: number; predictions: number[] };
      setRounds((previous) => {
        const next = previous.slice(0, data.round - 1);
        next[data.round - 1] = data.predictions;
        return next;
      });
    });
    source.addEventListener("design_status", (event) => {
      const data = JSON.parse((event as MessageEvent).data as string) as { status: string };
      if (!ACTIVE.includes(data.status)) {
        void client.invalidateQueries({ queryKey: listKey(projectId) });
        void client.invalidateQueries({ queryKey: designKey(projectId, id) });
      }
    });
    return () => source.close();
  }, [active, client, id, projectId]);
  return rounds;
}

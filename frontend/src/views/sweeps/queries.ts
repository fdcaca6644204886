/**
 * The Sweeps view's server state: the project's sweeps, one sweep's page, the preset spaces,
 * starting and stopping. `useLiveSweeps` follows the project's event stream and refreshes the
 * sweeps when a `sweep` event (a trial ended, a trial started, the sweep finished) or a trial's
 * `epoch` or `status` event arrives.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { api, call } from "../../api/client";
import { usePages } from "../../api/paging";
import type { SweepCreate } from "../../api/types";

export const sweepsKey = (projectId: string) => ["projects", projectId, "sweeps"] as const;
const sweepKey = (projectId: string, sweepId: string) => ["projects", projectId, "sweeps", sweepId] as const;

export const SWEEP_PAGE = 50;

/** The project's sweeps, newest first, a page at a time. */
export function useSweeps(projectId: string) {
  return usePages([...sweepsKey(projectId), "pages"], (cursor) =>
    call(
      api.GET("/api/projects/{project_id}/sweeps", {
        params: { path: { project_id: projectId }, query: { cursor, sort: "-created", limit: SWEEP_PAGE } },
      }),
    ),
  );
}

export function useSweep(projectId: string, sweepId: string) {
  return useQuery({
    queryKey: sweepKey(projectId, sweepId),
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/sweeps/{sweep_id}", {
          params: { path: { project_id: projectId, sweep_id: sweepId } },
        }),
      ),
  });
}

export function useSpacePresets() {
  return useQuery({
    queryKey: ["sweep-spaces"],
    staleTime: Infinity,
    queryFn: () => call(api.GET("/api/sweep-spaces")),
  });
}

export function useStartSweep(projectId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SweepCreate) =>
      call(api.POST("/api/projects/{project_id}/sweeps", { params: { path: { project_id: projectId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["projects", projectId] }),
  });
}

export function useStopSweep(projectId: string, sweepId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/projects/{project_id}/sweeps/{sweep_id}/stop", {
          params: { path: { project_id: projectId, sweep_id: sweepId } },
        }),
      ),
    onSuccess: (sweep) => {
      client.setQueryData(sweepKey(projectId, sweepId), sweep);
      void client.invalidateQueries({ queryKey: sweepsKey(projectId) });
    },
  });
}

/** Refresh the sweeps as the project's events say they changed (one stream for the view). */
export function useLiveSweeps(projectId: string, active: boolean) {
  const client = useQueryClient();
  useEffect(() => {
    if (!active || typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/projects/${projectId}/events?after=${lastEventId}`);
    let pending: number | undefined;
    const refresh = (event: MessageEvent) => {
      const id = Number(event.lastEventId);
      if (Number.isFinite(id)) lastEventId = Math.max(lastEventId, id);
      // a burst of events (every epoch of every trial) refetches once
      window.clearTimeout(pending);
      pending = window.setTimeout(() => void client.invalidateQueries({ queryKey: sweepsKey(projectId) }), 300);
    };
    for (const kind of ["sweep", "status", "epoch"]) source.addEventListener(kind, refresh);
    return () => {
      window.clearTimeout(pending);
      source.close();
    };
  }, [projectId, active, client]);
}

/** The last project event this page saw; the stream resumes after it. */
let lastEventId = 0;

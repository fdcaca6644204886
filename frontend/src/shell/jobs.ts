/**
 * The project's queued and running jobs (the first 50; `count` has them all), polled: every 2 s while any is active, else every 10 s.
 * When the set of active jobs changes, the project's experiments are refetched too.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { api, call } from "../api/client";

export const activeJobsKey = (projectId: string) => ["projects", projectId, "jobs", "active"] as const;

export function useActiveJobs(projectId: string) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: activeJobsKey(projectId),
    queryFn: () =>
      call(
        api.GET("/api/projects/{project_id}/jobs", {
          params: { path: { project_id: projectId }, query: { status: ["queued", "running"], limit: 50 } },
        }),
      ),
    refetchInterval: (q) => ((q.state.data?.count ?? 0) > 0 ? 2_000 : 10_000),
  });
  const signature = query.data?.data.map((job) => `${job.id}:${job.status}`).join(",");
  const previous = useRef(signature);
  useEffect(() => {
    if (previous.current !== undefined && previous.current !== signature) {
      void client.invalidateQueries({ queryKey: ["projects", projectId, "experiments"] });
    }
    previous.current = signature;
  }, [client, projectId, signature]);
  return query;
}

/**
 * One experiment's live events (server-sent events) while it has work under way.
 *
 * `epoch` events are appended to the cached epochs (so the curves grow as it trains),
 * `progress` events give the current epoch's batch count, and `status` events refresh the
 * experiment, the list and, once it settles, its evaluation. The stream resumes after the last
 * event id this page saw (the browser also sends `Last-Event-ID` when it reconnects by itself).
 */
import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import type { PageOf } from "../../api/paging";
import type { ExperimentSummary } from "../../api/types";
import { experimentListKey } from "../../projects/queries";
import { epochsKey, evaluationKey, experimentKey, refreshExperiment, type Epoch, type Experiment } from "./queries";

export interface Progress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number | null;
}

/** The last event id seen per experiment, so reopening one does not replay its history. */
const lastSeen = new Map<string, number>();

export function useLiveExperiment(projectId: string, experimentId: string, active: boolean): Progress | null {
  const client = useQueryClient();
  const [progress, setProgress] = useState<Progress | null>(null);

  useEffect(() => {
    if (!active || typeof EventSource === "undefined") return;
    const after = lastSeen.get(experimentId) ?? 0;
    const source = new EventSource(`/api/projects/${projectId}/experiments/${experimentId}/events?after=${after}`);
    // An event's data, as the server's event log wrote it for that event name.
    const seen = <T,>(event: MessageEvent): T => {
      const id = Number(event.lastEventId);
      if (Number.isFinite(id)) lastSeen.set(experimentId, Math.max(id, lastSeen.get(experimentId) ?? 0));
      return JSON.parse(event.data as string) as T;
    };
    source.addEventListener("epoch", (event) => {
      const data = seen<{ epoch: number; metrics: Record<string, number | null> }>(event);
      client.setQueryData<Epoch[]>(epochsKey(projectId, experimentId), (epochs) => {
        const kept = (epochs ?? []).filter((e) => e.epoch < data.epoch);
        return [...kept, { epoch: data.epoch, metrics: data.metrics, created_at: new Date().toISOString() }];
      });
      // The header, the Inspector and the list count epochs without waiting for a refetch.
      const advance = <T extends ExperimentSummary>(e: T): T =>
        e.id !== experimentId || e.epochs_done >= data.epoch
          ? e
          : { ...e, epochs_done: data.epoch, progress: Math.min(1, data.epoch / (e.epochs || 1)) };
      client.setQueryData<Experiment>(experimentKey(projectId, experimentId), (e) => (e ? advance(e) : e));
      client.setQueriesData<InfiniteData<PageOf<ExperimentSummary>>>({ queryKey: [...experimentListKey(projectId), "pages"] }, (found) =>
        found ? { ...found, pages: found.pages.map((page) => ({ ...page, data: page.data.map(advance) })) } : found,
      );
    });
    source.addEventListener("progress", (event) => {
      const data = seen<Progress>(event);
      setProgress({ epoch: data.epoch, batch: data.batch, batches: data.batches, loss: data.loss });
    });
    source.addEventListener("status", (event) => {
      const data = seen<{ status: string }>(event);
      refreshExperiment(client, projectId, experimentId);
      if (!["queued", "running", "evaluating"].includes(data.status)) {
        setProgress(null);
        void client.invalidateQueries({ queryKey: evaluationKey(projectId, experimentId) });
        void client.invalidateQueries({ queryKey: epochsKey(projectId, experimentId) });
      }
    });
    return () => source.close();
  }, [active, client, experimentId, projectId]);

  return active ? progress : null;
}

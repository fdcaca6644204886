/** An experiment's status as a coloured badge (running ones show their progress). */
import { Badge } from "@mantine/core";

import type { ExperimentSummary } from "../../api/types";

export const STATUS_COLORS: Record<string, string> = {
  draft: "gray",
  created: "gray",
  queued: "blue",
  running: "teal",
  evaluating: "cyan",
  completed: "green",
  stopped: "yellow",
  failed: "red",
  cancelled: "gray",
};

/** The words on the badge: the status, with the progress of a running experiment. */
export function statusLabel(experiment: ExperimentSummary): string {
  return experiment.status === "running" ? `running ${Math.round(experiment.progress * 100)} %` : experiment.status;
}

export function ExperimentStatus({ experiment }: { experiment: ExperimentSummary }) {
  return (
    <Badge
      color={STATUS_COLORS[experiment.status] ?? "gray"}
      variant={experiment.status === "running" ? "filled" : "light"}
      title={experiment.message || undefined}
    >
      {statusLabel(experiment)}
    </Badge>
  );
}

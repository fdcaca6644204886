/** An experiment's status as a coloured badge (running ones show their progress). */
import { Badge } from "@mantine/core";

import type { ExperimentSummary } from "../../api/types";

const COLORS: Record<string, string> = {
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

export function ExperimentStatus({ experiment }: { experiment: ExperimentSummary }) {
  const running = experiment.status === "running";
  const label = running ? `running ${Math.round(experiment.progress * 100)} %` : experiment.status;
  return (
    <Badge color={COLORS[experiment.status] ?? "gray"} variant={running ? "filled" : "light"} title={experiment.message || undefined}>
      {label}
    </Badge>
  );
}

/** An experiment's status as a badge; a running one shows its progress. */
import { Badge } from "@mantine/core";

const LOOKS: Record<string, { color: string; label?: string }> = {
  created: { color: "gray", label: "not run" },
  queued: { color: "blue" },
  running: { color: "teal" },
  evaluating: { color: "cyan" },
  completed: { color: "green" },
  stopped: { color: "yellow" },
  failed: { color: "red" },
};

export function ExperimentBadge({ experiment }: { experiment: { status: string; progress: number; message: string } }) {
  const look = LOOKS[experiment.status] ?? { color: "gray" };
  const label = experiment.status === "running" ? `running ${Math.round(experiment.progress * 100)} %` : (look.label ?? experiment.status);
  return (
    <Badge color={look.color} variant="light" title={experiment.message || undefined} data-testid="experiment-status" style={{ flexShrink: 0 }}>
      {label}
    </Badge>
  );
}

/**
 * One sweep: its state and counts, "open best trial" (then clone or deploy it from the
 * experiment's page), stop, the best-so-far curve, parallel coordinates, importances, trials.
 */
import { Alert, Badge, Box, Button, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconPlayerStop, IconTrophy } from "@tabler/icons-react";
import { useNavigate } from "react-router";

import { formatMetric } from "../../format";
import { notifyError } from "../../shell/notify";
import { useStopSweep, useSweep } from "./queries";
import { SweepInspector } from "./SweepInspector";
import { BestCurve, Importances, ParallelCoordinates } from "./SweepCharts";
import { TrialsTable } from "./TrialsTable";

const STATUS_COLOR: Record<string, string> = { running: "blue", completed: "teal", stopped: "gray", failed: "red" };

export function SweepPage({ projectId, sweepId }: { projectId: string; sweepId: string }) {
  const { data: sweep, error } = useSweep(projectId, sweepId);
  const stop = useStopSweep(projectId, sweepId);
  const navigate = useNavigate();
  if (error) return <Alert color="red" m="md">{error.message}</Alert>;
  if (!sweep) return <Loader m="xl" />;
  const c = sweep.counts;
  const best = sweep.trials.find((t) => t.number === sweep.best_trial);
  return (
    <Box style={{ overflow: "auto", flex: 1, minHeight: 0 }}>
    <Stack p="md" gap="md" data-sweep={sweep.name}>
      <SweepInspector projectId={projectId} sweep={sweep} statusColor={STATUS_COLOR[sweep.status] ?? "gray"} />
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Title order={3}>{sweep.name}</Title>
            <Badge color={STATUS_COLOR[sweep.status]} data-testid="sweep-status">
              {sweep.status}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed" data-testid="sweep-counts">
            {c.complete} complete · {c.pruned} pruned · {c.failed} failed · {c.running} running of {c.budget} trials
            {c.skipped ? ` · ${c.skipped} invalid combinations skipped` : ""} · {sweep.epochs_trained} epochs trained
            {sweep.message ? ` · ${sweep.message}` : ""}
          </Text>
          {best && (
            <Text size="sm">
              Best: trial {best.number}, {sweep.objective.metric} {formatMetric(best.value)}
            </Text>
          )}
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Button
            leftSection={<IconTrophy size={15} />}
            disabled={!best?.experiment_id}
            onClick={() => best?.experiment_id && navigate(`/projects/${projectId}/evaluation/${best.experiment_id}`)}
          >
            Open best trial
          </Button>
          {sweep.status === "running" && (
            <Button
              variant="default"
              color="red"
              leftSection={<IconPlayerStop size={15} />}
              loading={stop.isPending}
              onClick={() => stop.mutate(undefined, { onError: (e) => notifyError(e, "Could not stop the sweep") })}
            >
              Stop
            </Button>
          )}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <BestCurve sweep={sweep} />
        <Importances sweep={sweep} />
      </SimpleGrid>
      <ParallelCoordinates sweep={sweep} />
      <TrialsTable sweep={sweep} projectId={projectId} />
    </Stack>
    </Box>
  );
}

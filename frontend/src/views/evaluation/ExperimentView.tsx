/**
 * One experiment's evaluation page: its name, status and actions; the training overview (live
 * over server-sent events while it trains); below, its evaluation at the best or last epoch.
 */
import { Alert, Anchor, Box, Group, Loader, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconArrowLeft } from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";

import { errorMessage } from "../../api/client";
import { ExperimentStatus } from "../shared/ExperimentStatus";
import { EvaluationPanel } from "./EvaluationPanel";
import { ExperimentActions } from "./ExperimentActions";
import { ExperimentInspector } from "./ExperimentInspector";
import { useLiveExperiment } from "./live";
import { useReferenceLines } from "./metrics";
import { isActive, useEpochs, useExperiment } from "./queries";
import { TrainingCurves } from "./TrainingCurves";

export function ExperimentView({ projectId, experimentId, base }: { projectId: string; experimentId: string; base: string }) {
  const experiment = useExperiment(projectId, experimentId);
  const epochs = useEpochs(projectId, experimentId);
  const navigate = useNavigate();
  const active = experiment.data ? isActive(experiment.data) : false;
  const progress = useLiveExperiment(projectId, experimentId, active);
  const lines = useReferenceLines(projectId);

  if (experiment.isLoading) return <Loader m="xl" />;
  if (!experiment.data) {
    return (
      <Alert color="red" m="lg" title="This experiment cannot be opened">
        {errorMessage(experiment.error)}
      </Alert>
    );
  }
  const current = experiment.data;
  const parentName = current.parent_name;
  return (
    <Box style={{ flex: 1, minHeight: 0, overflow: "auto" }}>
      <Stack p="lg" gap="md" maw={1400}>
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Anchor component={Link} to={base} size="xs" c="dimmed">
              <Group gap={4} wrap="nowrap">
                <IconArrowLeft size={12} /> All experiments
              </Group>
            </Anchor>
            <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
              <Text fw={650} size="xl" truncate data-testid="experiment-name">
                {current.name}
              </Text>
              <span data-testid="experiment-status">
                <ExperimentStatus experiment={current} />
              </span>
            </Group>
          </Stack>
          <ExperimentActions projectId={projectId} experiment={current} onCloned={(copy) => navigate(`${base}/${copy.id}`)} />
        </Group>
        {["failed", "stopped"].includes(current.status) && current.message && (
          <Alert color={current.status === "failed" ? "red" : "yellow"} variant="light" icon={<IconAlertTriangle size={18} />} py="xs">
            {current.message}
          </Alert>
        )}
        <TrainingCurves experiment={current} epochs={epochs.data ?? []} progress={progress} lines={lines} />
        <EvaluationPanel key={current.id} projectId={projectId} experiment={current} />
      </Stack>
      <ExperimentInspector projectId={projectId} experiment={current} base={base} parent={current.parent_id && parentName ? { id: current.parent_id, name: parentName } : undefined} />
    </Box>
  );
}

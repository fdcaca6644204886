/**
 * The lower part of an experiment's page: its evaluation at the best, last or a chosen epoch on a chosen
 * subset, per target — regression plots or classification plots — or what to do to get one.
 */
import { Button, Card, Group, Loader, SegmentedControl, Select, Stack, Text, Title, Tooltip } from "@mantine/core";
import { IconRefresh } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";

import { errorMessage } from "../../api/client";
import { notifyError } from "../../shell/notify";
import { ClassificationPlots } from "./ClassificationPlots";
import { Interpretation } from "./Interpretation";
import { useReferenceLines } from "./metrics";
import { isActive, isClassification, useEvaluate, useEvaluation, type Checkpoint, type Experiment } from "./queries";
import { RegressionPlots } from "./RegressionPlots";
import { openingSubset } from "./subsets";

export function EvaluationPanel({ projectId, experiment }: { projectId: string; experiment: Experiment }) {
  const [checkpoint, setCheckpoint] = useState<Checkpoint>("best");
  const [chosenSubset, setSubset] = useState<string | null>(null);
  const chosenEpoch = checkpoint.startsWith("epoch-") ? checkpoint.slice("epoch-".length) : null;
  const trained = experiment.epochs_done > 0;
  const active = isActive(experiment);
  // While it trains nothing is evaluated yet: asking (on every status event) would only answer 404.
  const evaluation = useEvaluation(projectId, experiment.id, checkpoint, trained && !active);
  const evaluate = useEvaluate(projectId, experiment.id);
  const lines = useReferenceLines(projectId);

  const subsets = Object.keys(evaluation.data?.subsets ?? {});
  const subset = chosenSubset && subsets.includes(chosenSubset) ? chosenSubset : openingSubset(subsets, (experiment.settings as { validation_subset?: string | null }).validation_subset);
  const targets = subset ? evaluation.data!.subsets[subset]! : {};

  const header = (
    <Group justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <Title order={5}>Evaluation</Title>
        {evaluation.data && (
          <Text size="sm" c="dimmed">
            {chosenEpoch ? "" : `${checkpoint} `}epoch {evaluation.data.epoch ?? "—"}
          </Text>
        )}
      </Group>
      <Group gap="sm" wrap="nowrap">
        <SegmentedControl
          size="xs"
          aria-label="Checkpoint"
          value={checkpoint}
          onChange={(v) => setCheckpoint(v as Checkpoint)}
          data={[
            { value: "best", label: experiment.best_epoch ? `Best epoch (${experiment.best_epoch})` : "Best epoch" },
            { value: "last", label: `Last epoch${experiment.epochs_done ? ` (${experiment.epochs_done})` : ""}` },
          ]}
        />
        <Select
          size="xs"
          w={104}
          aria-label="Epoch"
          placeholder="Epoch…"
          clearable
          value={chosenEpoch}
          data={Array.from({ length: experiment.epochs_done }, (_, i) => String(i + 1))}
          onChange={(v) => setCheckpoint(v ? `epoch-${Number(v)}` : "best")}
        />
        {subsets.length > 0 && subset && (
          <SegmentedControl size="xs" aria-label="Subset" value={subset} onChange={setSubset} data={subsets} />
        )}
        {evaluation.data && (
          <Tooltip label="Evaluate this checkpoint again (e.g. on subsets added since)">
            <Button
              size="xs"
              variant="subtle"
              px={6}
              aria-label="Evaluate again"
              disabled={active}
              loading={evaluate.isPending}
              onClick={() => evaluate.mutate(checkpoint, { onError: (e) => notifyError(e, "The evaluation could not start") })}
            >
              <IconRefresh size={16} />
            </Button>
          </Tooltip>
        )}
      </Group>
    </Group>
  );

  let body;
  if (!trained) {
    body = <Hint>Plots of the best epoch appear here once the experiment has trained.</Hint>;
  } else if (evaluation.isLoading) {
    body = <Loader size="sm" m="md" />;
  } else if (evaluation.isError) {
    body = <Hint>{errorMessage(evaluation.error)}</Hint>;
  } else if (!evaluation.data) {
    body =
      experiment.status === "evaluating" || (active && checkpoint === "best") ? (
        <Hint>
          <Loader size="xs" mr={8} />
          {experiment.status === "evaluating" ? "Evaluating…" : "The plots of the best epoch appear when training ends."}
        </Hint>
      ) : (
        <Stack align="center" gap="xs" py="lg">
          <Text size="sm" c="dimmed">
            The {checkpoint} checkpoint has not been evaluated yet.
          </Text>
          <Button
            size="xs"
            loading={evaluate.isPending}
            disabled={active}
            onClick={() => evaluate.mutate(checkpoint, { onError: (e) => notifyError(e, "The evaluation could not start") })}
          >
            Evaluate the {checkpoint} checkpoint
          </Button>
        </Stack>
      );
  } else {
    const all = evaluation.data.subsets;
    body = Object.entries(targets).map(([target, result]) => {
      const bySubset = Object.fromEntries(Object.entries(all).map(([s, t]) => [s, t[target]?.metrics ?? {}]));
      return (
        <Stack key={target} gap="md">
          {Object.keys(targets).length > 1 && <Title order={6}>{target}</Title>}
          {isClassification(result.metrics) ? (
            <ClassificationPlots metrics={result.metrics} subset={subset!} />
          ) : (
            <RegressionPlots
              target={target}
              subset={subset!}
              evaluation={result}
              bySubset={bySubset}
              lines={lines}
              source={{ projectId, experimentId: experiment.id, checkpoint }}
            />
          )}
        </Stack>
      );
    });
  }
  return (
    <Stack gap="md" data-testid="evaluation-panel">
      {header}
      {body}
      {evaluation.data && <Interpretation key={checkpoint} projectId={projectId} experiment={experiment} checkpoint={checkpoint} />}
    </Stack>
  );
}

function Hint({ children }: { children: ReactNode }) {
  return (
    <Card withBorder radius="md" p="lg">
      <Group justify="center" gap={0}>
        <Text size="sm" c="dimmed">
          {children}
        </Text>
      </Group>
    </Card>
  );
}

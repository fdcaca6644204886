/** The Inspector for an experiment: where its data and model come from and how it trains. */
import { Anchor, Divider, Group, Progress, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";

import { formatMetric, formatWhen } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { useDatasetOfVersion } from "../datasets/queries";
import { graphName } from "../modeling/graph";
import { ExperimentStatus } from "../shared/ExperimentStatus";
import { metricLabel } from "./metrics";
import type { Experiment } from "./queries";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </Group>
  );
}

type Settings = {
  batch_size?: number;
  epochs?: number;
  optimizer?: { name?: string; lr?: number; weight_decay?: number };
  schedule?: { kind?: string };
  early_stopping?: { enabled?: boolean; monitor?: string; patience?: number };
  seed?: number;
  device?: string;
  precision?: string;
  mixed_precision?: boolean; // settings stored before `precision`: true ran fp16, false fp32
  training_subset?: string;
  validation_subset?: string | null;
};

export function ExperimentInspector({
  projectId,
  experiment,
  base,
  parent,
}: {
  projectId: string;
  experiment: Experiment;
  base: string;
  parent: { id: string; name: string } | undefined;
}) {
  const settings = experiment.settings as Settings;
  const { dataset, version } = useDatasetOfVersion(projectId, experiment.dataset_version_id);
  const graph = experiment.graph as { name?: string; nodes?: unknown[] };
  const stopping = settings.early_stopping;
  return (
    <Inspector title={experiment.name}>
      <Stack gap={6}>
        <Row label="Status">
          <ExperimentStatus experiment={experiment} />
        </Row>
        {experiment.message && (
          <Text size="xs" c="dimmed">
            {experiment.message}
          </Text>
        )}
        <Row label="Epochs">
          {experiment.epochs_done} of {experiment.epochs}
        </Row>
        <Progress value={experiment.progress * 100} size="xs" />
        {experiment.best_metric && (
          <Row label="Best">
            {metricLabel(experiment.best_metric.name)} {formatMetric(experiment.best_metric.value)} · epoch {experiment.best_metric.epoch}
          </Row>
        )}
        {parent && (
          <Row label="Cloned from">
            <Anchor component={Link} to={`${base}/${parent.id}`} size="sm">
              {parent.name}
            </Anchor>
          </Row>
        )}
      </Stack>
      <Divider label="Data" labelPosition="left" />
      <Stack gap={6}>
        <Row label="Dataset">{dataset && version ? `${dataset.name} · ${version.name}` : experiment.dataset_version_id}</Row>
        <Row label="Training subset">{settings.training_subset ?? "—"}</Row>
        <Row label="Validation subset">{settings.validation_subset ?? "none"}</Row>
      </Stack>
      <Divider label="Model" labelPosition="left" />
      <Stack gap={6}>
        <Row label="Graph">{graphName(graph.name)}</Row>
        <Row label="Blocks">{graph.nodes?.length ?? 0}</Row>
      </Stack>
      <Divider label="Run settings" labelPosition="left" />
      <Stack gap={6}>
        <Row label="Batch size">{settings.batch_size ?? "—"}</Row>
        <Row label="Optimizer">
          {settings.optimizer?.name ?? "—"}, learning rate {formatMetric(settings.optimizer?.lr ?? null)}
        </Row>
        <Row label="Schedule">{settings.schedule?.kind ?? "constant"}</Row>
        <Row label="Early stopping">
          {stopping?.enabled ? `${stopping.monitor}, patience ${stopping.patience}` : "off"}
        </Row>
        <Row label="Seed">{settings.seed ?? "—"}</Row>
        <Row label="Device">
          {settings.device ?? "auto"}, precision{" "}
          {settings.precision ?? (settings.mixed_precision ? "fp16" : "fp32")}
        </Row>
      </Stack>
      <Divider />
      <Stack gap={6}>
        <Row label="Created">{formatWhen(experiment.created_at)}</Row>
        <Row label="Changed">{formatWhen(experiment.updated_at)}</Row>
      </Stack>
    </Inspector>
  );
}

/** The Inspector for an experiment: where its data and model come from and how it trains. */
import { Anchor, Divider, Progress, Stack, Text } from "@mantine/core";
import { Link } from "react-router";

import { formatMetric, formatWhen } from "../../format";
import { Inspector, InspectorRow } from "../../shell/Inspector";
import { useDatasetOfVersion } from "../datasets/queries";
import { graphName } from "../modeling/graph";
import { ExperimentStatus } from "../shared/ExperimentStatus";
import { metricLabel } from "./metrics";
import type { Experiment } from "./queries";


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
        <InspectorRow label="Status">
          <ExperimentStatus experiment={experiment} />
        </InspectorRow>
        {experiment.message && (
          <Text size="xs" c="dimmed">
            {experiment.message}
          </Text>
        )}
        <InspectorRow label="Epochs">
          {experiment.epochs_done} of {experiment.epochs}
        </InspectorRow>
        <Progress value={experiment.progress * 100} size="xs" />
        {experiment.best_metric && (
          <InspectorRow label="Best">
            {metricLabel(experiment.best_metric.name)} {formatMetric(experiment.best_metric.value)} · epoch {experiment.best_metric.epoch}
          </InspectorRow>
        )}
        {parent && (
          <InspectorRow label="Cloned from">
            <Anchor component={Link} to={`${base}/${parent.id}`} size="sm">
              {parent.name}
            </Anchor>
          </InspectorRow>
        )}
      </Stack>
      <Divider label="Data" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Dataset">{dataset && version ? `${dataset.name} · ${version.name}` : experiment.dataset_version_id}</InspectorRow>
        <InspectorRow label="Training subset">{settings.training_subset ?? "—"}</InspectorRow>
        <InspectorRow label="Validation subset">{settings.validation_subset ?? "none"}</InspectorRow>
      </Stack>
      <Divider label="Model" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Graph">{graphName(graph.name)}</InspectorRow>
        <InspectorRow label="Blocks">{graph.nodes?.length ?? 0}</InspectorRow>
      </Stack>
      <Divider label="Run settings" labelPosition="left" />
      <Stack gap={6}>
        <InspectorRow label="Batch size">{settings.batch_size ?? "—"}</InspectorRow>
        <InspectorRow label="Optimizer">
          {settings.optimizer?.name ?? "—"}, learning rate {formatMetric(settings.optimizer?.lr ?? null)}
        </InspectorRow>
        <InspectorRow label="Schedule">{settings.schedule?.kind ?? "constant"}</InspectorRow>
        <InspectorRow label="Early stopping">
          {stopping?.enabled ? `${stopping.monitor}, patience ${stopping.patience}` : "off"}
        </InspectorRow>
        <InspectorRow label="Seed">{settings.seed ?? "—"}</InspectorRow>
        <InspectorRow label="Device">
          {settings.device ?? "auto"}, precision{" "}
          {settings.precision ?? (settings.mixed_precision ? "fp16" : "fp32")}
        </InspectorRow>
      </Stack>
      <Divider />
      <Stack gap={6}>
        <InspectorRow label="Created">{formatWhen(experiment.created_at)}</InspectorRow>
        <InspectorRow label="Changed">{formatWhen(experiment.updated_at)}</InspectorRow>
      </Stack>
    </Inspector>
  );
}

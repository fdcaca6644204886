/**
 * "Training overview": training and validation loss per epoch and one chosen metric, growing
 * live while the experiment trains, the best epoch marked on both, and the project's reference
 * lines (a paper's value, a target) drawn on the metric they name.
 */
import { Card, Group, Progress, Select, SimpleGrid, Switch, Text, Title } from "@mantine/core";
import { useState } from "react";

import { formatMetric } from "../../format";
import { axisName, axisReaching, BEST_COLOR, EvalChart, REFERENCE_COLOR, tooltip, TRAINING_COLOR, VALIDATION_COLOR, type ChartOption } from "./chart";
import type { Progress as LiveProgress } from "./live";
import { curveMetrics, defaultMetric, linesFor, metricLabel, type ReferenceLine } from "./metrics";
import type { Epoch, Experiment } from "./queries";

interface Props {
  experiment: Experiment;
  epochs: Epoch[];
  progress: LiveProgress | null;
  /** The project's reference lines; those of the shown metric are drawn. */
  lines: ReferenceLine[];
}

/** The best epoch: the experiment's once it has one, else the best so far by the monitored metric. */
export function bestEpoch(experiment: Experiment, epochs: Epoch[]): number | null {
  if (experiment.best_epoch && !["running", "queued"].includes(experiment.status)) return experiment.best_epoch;
  const stopping = (experiment.settings.early_stopping ?? {}) as { monitor?: string; mode?: string };
  const monitor = stopping.monitor ?? "val_loss";
  const sign = stopping.mode === "max" ? -1 : 1;
  let best: Epoch | null = null;
  for (const epoch of epochs) {
    const value = epoch.metrics[monitor];
    if (typeof value !== "number") continue;
    const current = best?.metrics[monitor];
    if (best === null || typeof current !== "number" || sign * value < sign * current) best = epoch;
  }
  return best?.epoch ?? experiment.best_epoch ?? null;
}

/** The loss the Target blocks use, e.g. "mean squared error". */
function lossName(experiment: Experiment): string {
  const nodes = ((experiment.graph as { nodes?: { type: string; params?: { loss?: string } }[] }).nodes ?? []).filter((n) => n.type === "target");
  const names: Record<string, string> = { mse: "mean squared error", mae: "mean absolute error", msle: "mean squared logarithmic error", poisson: "Poisson", bce: "binary crossentropy", cce: "categorical crossentropy" };
  const losses = [...new Set(nodes.map((n) => n.params?.loss).filter((l): l is string => !!l))];
  return losses.map((l) => names[l] ?? l.replace(/_/g, " ")).join(", ");
}

function points(epochs: Epoch[], key: string): [number, number | null][] {
  return epochs.map((e) => [e.epoch, typeof e.metrics[key] === "number" ? (e.metrics[key] as number) : null]);
}

function bestMark(best: number | null) {
  if (best === null) return undefined;
  return {
    silent: true,
    symbol: "none",
    lineStyle: { color: BEST_COLOR, type: "dashed", width: 1 },
    label: { show: false },
    data: [{ xAxis: best }],
  };
}

function epochAxis(planned: number, done: number) {
  return {
    type: "value",
    name: "epoch",
    nameLocation: "middle",
    nameGap: 24,
    nameTextStyle: axisName,
    min: 1,
    max: Math.max(planned, done, 2),
    minInterval: 1,
    splitLine: { show: false },
  };
}

export function TrainingCurves({ experiment, epochs, progress, lines }: Props) {
  const [logScale, setLogScale] = useState(false);
  const metrics = curveMetrics(epochs);
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : defaultMetric(metrics);
  const best = bestEpoch(experiment, epochs);
  const references = metric ? linesFor(metric, lines) : [];
  const planned = experiment.epochs;
  // While it trains the axis spans the planned epochs (the curve grows into it); after, the done ones.
  const span = ["queued", "running"].includes(experiment.status) ? planned : 0;
  const done = epochs.length ? epochs[epochs.length - 1]!.epoch : 0;
  const hasValidation = epochs.some((e) => typeof e.metrics.val_loss === "number");

  const lossOption: ChartOption = {
    grid: { left: 48, right: 16, top: 20, bottom: 40 },
    legend: { top: 0, right: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
    tooltip: { ...tooltip, trigger: "axis", valueFormatter: (v: number) => formatMetric(v) },
    xAxis: epochAxis(span, done),
    yAxis: { type: logScale ? "log" : "value", scale: true, axisLabel: { fontSize: 10 } },
    series: [
      { name: "Training", type: "line", data: points(epochs, "loss"), color: TRAINING_COLOR, symbolSize: 5, showSymbol: epochs.length < 60 },
      ...(hasValidation
        ? [{
            name: "Validation", type: "line", data: points(epochs, "val_loss"), color: VALIDATION_COLOR, symbolSize: 5,
            showSymbol: epochs.length < 60, markLine: bestMark(best),
          }]  // prettier-ignore
        : []),
    ],
  };
  if (!hasValidation && lossOption.series) (lossOption.series as Record<string, unknown>[])[0]!.markLine = bestMark(best);

  const metricOption: ChartOption | null = metric
    ? {
        grid: { left: 48, right: 16, top: 20, bottom: 40 },
        tooltip: { ...tooltip, trigger: "axis", valueFormatter: (v: number) => formatMetric(v) },
        xAxis: epochAxis(span, done),
        yAxis: {
          type: "value",
          scale: true,
          axisLabel: { fontSize: 10 },
          ...axisReaching(references.map((r) => r.value)),
        },
        series: [
          {
            name: metricLabel(metric),
            type: "line",
            data: points(epochs, metric),
            color: metric.startsWith("val_") ? VALIDATION_COLOR : TRAINING_COLOR,
            symbolSize: 5,
            showSymbol: epochs.length < 60,
            markLine: {
              silent: true,
              symbol: "none",
              data: [
                ...(best !== null
                  ? [{ xAxis: best, lineStyle: { color: BEST_COLOR, type: "dashed", width: 1 }, label: { show: false } }]  // prettier-ignore
                  : []),
                ...references.map((r) => ({
                  yAxis: r.value,
                  lineStyle: { color: REFERENCE_COLOR, type: "solid", width: 1.5 },
                  label: { formatter: `${r.name} ${r.value}`, position: "insideEndTop", fontSize: 10, color: REFERENCE_COLOR },
                })),
              ],
            },
          },
        ],
      }
    : null;

  const running = experiment.status === "running";
  const fraction = progress && progress.batches ? (progress.epoch - 1 + progress.batch / progress.batches) / planned : done / planned;
  return (
    <Card withBorder radius="md" p="md" data-testid="training-overview">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={5}>Training overview</Title>
        <Group gap="md" wrap="nowrap">
          {running && (
            <Group gap="xs" wrap="nowrap" data-testid="live-progress">
              <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                {progress
                  ? `Epoch ${progress.epoch} of ${planned} · batch ${progress.batch} of ${progress.batches}`
                  : `Epoch ${done + 1} of ${planned}`}
              </Text>
              <Progress value={Math.min(100, fraction * 100)} w={120} size="sm" animated />
            </Group>
          )}
          <Switch size="xs" label="Log scale" checked={logScale} onChange={(e) => setLogScale(e.currentTarget.checked)} />
        </Group>
      </Group>
      {epochs.length === 0 ? (
        <Text size="sm" c="dimmed" py="xl" ta="center">
          {["queued", "running"].includes(experiment.status)
            ? "The curves appear here after the first epoch."
            : "No epochs yet: run the experiment to see its loss and metrics here."}
        </Text>
      ) : (
        <SimpleGrid cols={2} spacing="md">
          <div>
            <Group h={30} mb={4} gap="xs">
              <Text size="sm" fw={600}>
                Loss
              </Text>
              <Text size="xs" c="dimmed">
                {lossName(experiment)}
              </Text>
            </Group>
            <EvalChart label="Loss per epoch" height={240} option={lossOption} data={{ "data-testid": "loss-curves", "data-epochs": epochs.length }} />
          </div>
          <div>
            <Group h={30} mb={4} gap="xs" justify="space-between" wrap="nowrap">
              <Text size="sm" fw={600}>
                Metric
              </Text>
              <Select
                size="xs"
                w={220}
                aria-label="Metric"
                data={metrics.map((m) => ({ value: m, label: metricLabel(m) }))}
                value={metric}
                onChange={setChosen}
                allowDeselect={false}
              />
            </Group>
            {metricOption && (
              <EvalChart label={`${metric ? metricLabel(metric) : ""} per epoch`} height={240} option={metricOption} data={{ "data-testid": "metric-curve", "data-epochs": epochs.length }} />
            )}
          </div>
        </SimpleGrid>
      )}
      {best !== null && epochs.length > 0 && (
        <BestLine epochs={epochs} best={best} references={references} metric={metric} />
      )}
    </Card>
  );
}

function BestLine({ epochs, best, references, metric }: { epochs: Epoch[]; best: number; references: ReferenceLine[]; metric: string | null }) {
  const epoch = epochs.find((e) => e.epoch === best);
  if (!epoch) return null;
  const value = (key: string) => (typeof epoch.metrics[key] === "number" ? formatMetric(epoch.metrics[key] as number) : "—");
  return (
    <Text size="xs" c="dimmed" mt={4}>
      Best epoch <b>{best}</b> (dashed line): validation loss {value("val_loss")}
      {metric && metric !== "val_loss" ? ` · ${metricLabel(metric)} ${value(metric)}` : ""}
      {references.map((r) => ` · ${r.name}: ${r.value}`).join("")}
    </Text>
  );
}

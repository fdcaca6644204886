/**
 * A regression target at one checkpoint: true-vs-predicted (every point, drawn on a canvas in
 * large mode; above 25,000 examples the server sends a 2-D density, drawn as cells), the error
 * distribution with its mean and a hint when it leans one way, and the metrics per subset.
 * Clicking a point opens that example's sequence with its attribution logo and ISM heat map.
 */
import { Badge, Card, Group, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { useState } from "react";

import { formatCount, formatMetric } from "../../format";
import { axisName, EvalChart, rectangles, REFERENCE_COLOR, tooltip, VALIDATION_COLOR, type ChartOption } from "./chart";
import type { ExplainedPoint } from "./explain";
import { bareLabel, linesFor, type ReferenceLine } from "./metrics";
import type { Checkpoint, Residuals, Scatter, TargetEvaluation } from "./queries";
import { SequenceExplainer } from "./SequenceExplainer";

const REGRESSION_ORDER = ["n", "pearson_r2", "pearson_r", "spearman", "r2", "mse", "rmse", "mae"];

/** `[low, high]` widened a little on both sides. */
function padded(range: number[]): [number, number] {
  const low = range[0] ?? 0;
  const high = range[1] ?? 0;
  const margin = (high - low || 1) * 0.04;
  return [low - margin, high + margin];
}

function scatterOption(scatter: Scatter, target: string): ChartOption {
  const [low, high] = padded(scatter.range);
  const axis = (name: string) => ({
    type: "value",
    name,
    nameLocation: "middle",
    nameGap: 26,
    nameTextStyle: axisName,
    min: low,
    max: high,
    axisLine: { onZero: false },
    axisLabel: { fontSize: 10, formatter: (v: number) => formatMetric(v), showMinLabel: false, showMaxLabel: false },
    splitLine: { lineStyle: { opacity: 0.5 } },
  });
  const identity = {
    type: "line",
    name: "predicted = true",
    data: [
      [low, low],
      [high, high],
    ],
    silent: true,
    symbol: "none",
    lineStyle: { color: "#adb5bd", type: "dashed", width: 1 },
    z: 1,
  };
  const base = {
    grid: { left: 52, right: scatter.kind === "density" ? 64 : 16, top: 12, bottom: 40 },
    xAxis: axis(`true ${target}`),
    yAxis: axis(`predicted ${target}`),
  };
  if (scatter.kind === "density" && scatter.density) {
    const { counts, x_edges: xs, y_edges: ys } = scatter.density;
    const cells: number[][] = [];
    let most = 1;
    counts.forEach((row, i) =>
      row.forEach((count, j) => {
        if (count > 0) {
          cells.push([xs[j]!, xs[j + 1]!, ys[i]!, ys[i + 1]!, count, Math.log10(count)]);
          most = Math.max(most, count);
        }
      }),
    );
    return {
      ...base,
      tooltip: { ...tooltip, formatter: (p: { value: number[] }) => `${formatCount(p.value[4])} examples` },
      visualMap: {
        type: "continuous",
        dimension: 5,
        min: 0,
        max: Math.log10(most),
        right: 0,
        top: "middle",
        itemHeight: 120,
        itemWidth: 10,
        text: [formatCount(most), "1"],
        textStyle: { fontSize: 10 },
        inRange: { color: ["#c3fae8", "#38d9a9", "#0ca678", "#087f5b", "#0b3d2e"] },
        seriesIndex: 0,
        calculable: false,
      },
      series: [{ ...rectangles("examples", cells), progressive: 0 }, identity],
    };
  }
  const n = scatter.x.length;
  const data = scatter.x.map((x, i) => [x, scatter.y[i]!]);
  return {
    ...base,
    tooltip: {
      ...tooltip,
      trigger: "item",
      formatter: (p: { value: number[] }) => `true ${formatMetric(p.value[0])}<br/>predicted ${formatMetric(p.value[1])}`,
    },
    series: [
      {
        type: "scatter",
        name: "examples",
        data,
        large: true,
        largeThreshold: 2_000,
        progressive: 5_000,
        symbolSize: n > 5_000 ? 2 : n > 500 ? 3.5 : 6,
        itemStyle: { color: VALIDATION_COLOR, opacity: n > 5_000 ? 0.35 : n > 500 ? 0.55 : 0.75 },
        z: 2,
      },
      identity,
    ],
  };
}

function histogramOption(residuals: Residuals): ChartOption {
  const bars = residuals.counts.map((count, i) => [residuals.edges[i]!, residuals.edges[i + 1]!, 0, count, count]);
  const low = residuals.edges[0]!;
  const high = residuals.edges[residuals.edges.length - 1]!;
  const reach = Math.max(Math.abs(low), Math.abs(high));
  return {
    grid: { left: 40, right: 16, top: 22, bottom: 40 },
    tooltip: {
      ...tooltip,
      formatter: (p: { value: number[] }) =>
        `${formatMetric(p.value[0])} to ${formatMetric(p.value[1])}: ${formatCount(p.value[4])} examples`,
    },
    xAxis: {
      type: "value",
      name: "error (predicted − true)",
      nameLocation: "middle",
      nameGap: 26,
      nameTextStyle: axisName,
      // Symmetric around 0, so a lean to one side is visible at a glance.
      min: -reach,
      max: reach,
      axisLabel: { fontSize: 10, formatter: (v: number) => formatMetric(v), showMinLabel: false, showMaxLabel: false },
      splitLine: { show: false },
    },
    yAxis: { type: "value", minInterval: 1, axisLine: { onZero: false }, axisLabel: { fontSize: 10 } },
    series: [
      {
        ...rectangles("errors", bars, "#7950f2"),
        markLine: {
          silent: true,
          symbol: "none",
          data: [
            { xAxis: 0, lineStyle: { color: "#495057", type: "solid", width: 1 }, label: { show: false } },
            {
              xAxis: residuals.mean,
              lineStyle: { color: REFERENCE_COLOR, type: "dashed", width: 1 },
              label: { formatter: "mean", fontSize: 10, color: REFERENCE_COLOR },
            },
          ],
        },
      },
    ],
  };
}

/** A short reading of the error distribution, as Peltarion's hints next to the plot. */
function errorHint(residuals: Residuals): string {
  const sd = residuals.sd ?? 0;
  const parts = [`mean ${formatMetric(residuals.mean)}`, `sd ${formatMetric(residuals.sd)}`];
  if (residuals.skewness !== null) parts.push(`skewness ${formatMetric(residuals.skewness)}`);
  let hint = "";
  if (sd > 0 && Math.abs(residuals.mean) > 0.25 * sd) {
    hint = residuals.mean > 0 ? " The model tends to over-predict." : " The model tends to under-predict.";
  } else if (residuals.skewness !== null && Math.abs(residuals.skewness) > 1) {
    hint = " The errors lean to one side: a few examples are predicted far off in one direction.";
  }
  return `${parts.join(" · ")}.${hint}`;
}

/** "Pearson r² 0.25 · Spearman ρ 0.51", and the project's reference lines for either. */
function correlationLine(metrics: Record<string, unknown>, lines: ReferenceLine[]): string {
  const value = (key: string) => (typeof metrics[key] === "number" ? formatMetric(metrics[key] as number) : "—");
  const line = `Pearson r² ${value("pearson_r2")} · Spearman ρ ${value("spearman")}`;
  const references = [...linesFor("pearson_r2", lines), ...linesFor("spearman", lines)];
  return [line, ...references.map((r) => `${r.name}: ${r.value}`)].join(" · ");
}

interface Props {
  target: string;
  subset: string;
  evaluation: TargetEvaluation;
  /** The same target's metrics in every evaluated subset, for the table. */
  bySubset: Record<string, Record<string, unknown>>;
  /** The project's reference lines, shown beside the metrics they name. */
  lines: ReferenceLine[];
  /** Where the plotted predictions come from, to explain a clicked point. */
  source: { projectId: string; experimentId: string; checkpoint: Checkpoint };
}

export function RegressionPlots({ target, subset, evaluation, bySubset, lines, source }: Props) {
  const { scatter, residuals } = evaluation;
  const [point, setPoint] = useState<ExplainedPoint | null>(null);
  const onClick = (params: { seriesName?: string; dataIndex: number }) => {
    if (!scatter || scatter.kind !== "points" || params.seriesName !== "examples") return;
    const i = params.dataIndex;
    setPoint({ subset, row: scatter.indices ? scatter.indices[i]! : i, measured: scatter.x[i]!, predicted: scatter.y[i]! });
  };
  return (
    <>
      <SimpleGrid cols={2} spacing="md">
        <Card withBorder radius="md" p="md">
          <Group justify="space-between" mb={4} wrap="nowrap">
            <Title order={6}>Predictions</Title>
            {scatter && (
              <Text size="xs" c="dimmed">
                {scatter.kind === "density" ? `density of ${formatCount(scatter.n)} examples` : `${formatCount(scatter.n)} examples`} · {subset}
              </Text>
            )}
          </Group>
          {scatter ? (
            <EvalChart
              label={`True against predicted ${target}`}
              height={300}
              option={scatterOption(scatter, target)}
              data={{ "data-testid": "prediction-scatter", "data-points": scatter.n, "data-kind": scatter.kind }}
              onEvents={{ click: onClick }}
            />
          ) : (
            <Text size="sm" c="dimmed">This target has several outputs; see the metrics below.</Text>
          )}
          {scatter && (
            <Text size="xs" c="dimmed">
              {correlationLine(evaluation.metrics, lines)}
              {scatter.kind === "points" && " · click a point: why this prediction"}
            </Text>
          )}
        </Card>
        <Card withBorder radius="md" p="md">
          <Group justify="space-between" mb={4} wrap="nowrap">
            <Title order={6}>Error distribution</Title>
            <Text size="xs" c="dimmed">
              examples per bin · {subset}
            </Text>
          </Group>
          {residuals ? (
            <>
              <EvalChart
                label="Distribution of prediction errors"
                height={280}
                option={histogramOption(residuals)}
                data={{ "data-testid": "error-histogram", "data-bins": residuals.counts.length }}
              />
              <Text size="xs" c="dimmed">
                {errorHint(residuals)}
              </Text>
            </>
          ) : (
            <Text size="sm" c="dimmed">No error distribution for this target.</Text>
          )}
        </Card>
      </SimpleGrid>
      <MetricsTable bySubset={bySubset} selected={subset} lines={lines} />
      <SequenceExplainer {...source} target={target} point={point} onClose={() => setPoint(null)} />
    </>
  );
}

function MetricsTable({ bySubset, selected, lines }: { bySubset: Record<string, Record<string, unknown>>; selected: string; lines: ReferenceLine[] }) {
  const showReference = lines.length > 0;
  const subsets = Object.keys(bySubset);
  const keys = new Set<string>();
  for (const metrics of Object.values(bySubset)) {
    for (const [key, value] of Object.entries(metrics)) if (typeof value === "number") keys.add(key);
  }
  const ordered = [...REGRESSION_ORDER.filter((k) => keys.has(k)), ...[...keys].filter((k) => !REGRESSION_ORDER.includes(k)).sort()];
  return (
    <Card withBorder radius="md" p="md">
      <Title order={6} mb="xs">
        Metrics
      </Title>
      <Table withRowBorders verticalSpacing={4} fz="sm" aria-label="Metrics" data-testid="metrics-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Metric</Table.Th>
            {subsets.map((s) => (
              <Table.Th key={s} ta="right" bg={s === selected ? "var(--mantine-color-teal-light)" : undefined}>
                {s}
              </Table.Th>
            ))}
            {showReference && <Table.Th ta="right">Reference</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {ordered.map((key) => (
            <Table.Tr key={key}>
              <Table.Td>{bareLabel(key)}</Table.Td>
              {subsets.map((s) => {
                const value = bySubset[s]![key];
                return (
                  <Table.Td key={s} ta="right" style={{ fontVariantNumeric: "tabular-nums" }} bg={s === selected ? "var(--mantine-color-teal-light)" : undefined}>
                    {typeof value === "number" ? (key === "n" ? formatCount(value) : formatMetric(value)) : "—"}
                  </Table.Td>
                );
              })}
              {showReference && (
                <Table.Td ta="right">
                  {linesFor(key, lines).map((line) => (
                    <Badge key={line.name} ml={4} variant="light" color="orange" tt="none" title={line.name} data-testid={`reference-${key}`}>
                      {line.value}
                    </Badge>
                  ))}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

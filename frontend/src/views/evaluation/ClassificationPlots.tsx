/**
 * A classification target at one checkpoint: the confusion matrix (single-label), ROC and
 * precision-recall curves per class, the headline numbers and the per-class table.
 */
import { Card, Group, SimpleGrid, Table, Text, Title } from "@mantine/core";

import { formatCount, formatMetric } from "../../format";
import { axisName, EvalChart, PALETTE, tooltip, type ChartOption } from "./chart";
import type { ClassificationMetrics } from "./queries";

const MAX_CURVES = 12; // beyond this many classes the curves are unreadable; the table has them all

function confusionOption(classes: string[], matrix: number[][]): ChartOption {
  const data: [number, number, number][] = [];
  let most = 1;
  matrix.forEach((row, t) =>
    row.forEach((count, p) => {
      data.push([p, t, count]);
      most = Math.max(most, count);
    }),
  );
  const small = classes.length <= 12;
  return {
    grid: { left: 80, right: 16, top: 12, bottom: 56 },
    tooltip: {
      ...tooltip,
      formatter: (p: { value: number[] }) =>
        `true ${classes[p.value[1]!]} → predicted ${classes[p.value[0]!]}: ${formatCount(p.value[2])}`,
    },
    xAxis: { type: "category", data: classes, name: "predicted", nameLocation: "middle", nameGap: 36, nameTextStyle: axisName, axisLabel: { fontSize: 10, interval: 0, rotate: classes.length > 6 ? 30 : 0 } },
    yAxis: { type: "category", data: classes, name: "true", nameLocation: "middle", nameGap: 64, nameTextStyle: axisName, inverse: true, axisLabel: { fontSize: 10, interval: 0 } },
    visualMap: { show: false, min: 0, max: most, inRange: { color: ["#f8f9fa", "#63e6be", "#0ca678", "#087f5b"] } },
    series: [{ type: "heatmap", data, label: { show: small, fontSize: 11 }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
  };
}

function curveOption(
  names: string[],
  curves: ({ x: number[]; y: number[] } | null)[],
  xName: string,
  yName: string,
  diagonal: boolean,
): ChartOption {
  const shown = curves.map((c, i) => ({ c, i })).filter((e) => e.c !== null).slice(0, MAX_CURVES);
  return {
    grid: { left: 48, right: 16, top: 28, bottom: 40 },
    legend: { top: 0, right: 0, type: "scroll", textStyle: { fontSize: 10 }, itemWidth: 12 },
    tooltip: { ...tooltip, trigger: "item", formatter: (p: { seriesName: string; value: number[] }) => `${p.seriesName}: ${formatMetric(p.value[0])}, ${formatMetric(p.value[1])}` },
    xAxis: { type: "value", min: 0, max: 1, name: xName, nameLocation: "middle", nameGap: 24, nameTextStyle: axisName, axisLabel: { fontSize: 10 } },
    yAxis: { type: "value", min: 0, max: 1, name: yName, nameLocation: "middle", nameGap: 30, nameTextStyle: axisName, axisLabel: { fontSize: 10 } },
    series: [
      ...shown.map(({ c, i }) => ({
        type: "line",
        name: names[i],
        data: c!.x.map((x, k) => [x, c!.y[k]]),
        showSymbol: false,
        color: PALETTE[i % PALETTE.length],
        lineStyle: { width: 1.5 },
      })),
      ...(diagonal
        ? [{ type: "line", name: "chance", data: [[0, 0], [1, 1]], showSymbol: false, silent: true, lineStyle: { type: "dashed", color: "#adb5bd", width: 1 }, color: "#adb5bd" }]  // prettier-ignore
        : []),
    ],
  };
}

export function ClassificationPlots({ metrics, subset }: { metrics: ClassificationMetrics; subset: string }) {
  const names = metrics.classes ?? metrics.labels ?? [];
  const roc = metrics.roc_curves.map((c) => (c ? { x: c.fpr, y: c.tpr } : null));
  const pr = metrics.pr_curves.map((c) => (c ? { x: c.recall, y: c.precision } : null));
  const headline: [string, number | null | undefined][] = metrics.confusion_matrix
    ? [
        ["Accuracy", metrics.accuracy],
        ["Macro F1", metrics.f1.macro],
        ["Macro ROC AUC", metrics.roc_auc.macro],
        ["Macro PR AUC", metrics.pr_auc.macro],
      ]
    : [
        ["Subset accuracy", metrics.subset_accuracy],
        ["Hamming loss", metrics.hamming_loss],
        ["Macro F1", metrics.f1.macro],
        ["Macro ROC AUC", metrics.roc_auc.macro],
      ];
  return (
    <>
      <Card withBorder radius="md" p="md">
        <Group gap="xl">
          {headline.map(([label, value]) => (
            <div key={label}>
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <Text fw={650} size="lg" style={{ fontVariantNumeric: "tabular-nums" }}>
                {formatMetric(value ?? null)}
              </Text>
            </div>
          ))}
          <div>
            <Text size="xs" c="dimmed">
              Examples ({subset})
            </Text>
            <Text fw={650} size="lg">
              {formatCount(metrics.n)}
            </Text>
          </div>
        </Group>
      </Card>
      <SimpleGrid cols={metrics.confusion_matrix ? 3 : 2} spacing="md">
        {metrics.confusion_matrix && (
          <Card withBorder radius="md" p="md">
            <Title order={6} mb={4}>
              Confusion matrix
            </Title>
            <EvalChart
              label="Confusion matrix"
              height={280}
              option={confusionOption(metrics.confusion_matrix.classes.map(String), metrics.confusion_matrix.matrix)}
              data={{ "data-testid": "confusion-matrix" }}
            />
          </Card>
        )}
        <Card withBorder radius="md" p="md">
          <Title order={6} mb={4}>
            ROC
          </Title>
          <EvalChart label="ROC curves" height={280} option={curveOption(names.map(String), roc, "false positive rate", "true positive rate", true)} data={{ "data-testid": "roc-curves" }} />
        </Card>
        <Card withBorder radius="md" p="md">
          <Title order={6} mb={4}>
            Precision and recall
          </Title>
          <EvalChart label="Precision-recall curves" height={280} option={curveOption(names.map(String), pr, "recall", "precision", false)} data={{ "data-testid": "pr-curves" }} />
        </Card>
      </SimpleGrid>
      <Card withBorder radius="md" p="md">
        <Title order={6} mb="xs">
          Per class
        </Title>
        <Table withRowBorders verticalSpacing={4} fz="sm" aria-label="Per-class metrics" data-testid="per-class-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Class</Table.Th>
              {["Precision", "Recall", "F1", "ROC AUC", "PR AUC", "Support"].map((h) => (
                <Table.Th key={h} ta="right">
                  {h}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {names.map((name, i) => (
              <Table.Tr key={String(name)}>
                <Table.Td>{String(name)}</Table.Td>
                {[metrics.precision.per_class[i], metrics.recall.per_class[i], metrics.f1.per_class[i], metrics.roc_auc.per_class[i], metrics.pr_auc.per_class[i]].map((v, k) => (
                  <Table.Td key={k} ta="right" style={{ fontVariantNumeric: "tabular-nums" }}>
                    {formatMetric(v ?? null)}
                  </Table.Td>
                ))}
                <Table.Td ta="right">{formatCount(metrics.support[i])}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </>
  );
}

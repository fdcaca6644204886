/**
 * Why the model predicts what it does for one example (a point of the scatter): a drawer with
 * the sequence, an attribution logo (DeepLIFT/SHAP, integrated gradients or saliency; the letter
 * at each position is the sequence's own, its height the position's importance) and the ISM
 * heat map (the predicted effect of every single substitution), both in the user's coordinates:
 * −n…−1 before the start codon for right-aligned sequences, else 1…n. Letters are drawn by the
 * charting library (a custom series of scaled text), never by hand.
 */
import { Alert, Badge, Drawer, Group, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";

import { errorMessage } from "../../api/client";
import { formatMetric } from "../../format";
import { axisName, EvalChart, tooltip, type ChartOption } from "./chart";
import { useExplanation, type ExplainedPoint, type Explanation, type Method } from "./explain";
import type { Checkpoint } from "./queries";

const LETTER_COLORS: Record<string, string> = { A: "#2b8a3e", C: "#1971c2", G: "#f08c00", T: "#e03131", U: "#e03131" };
const METHODS: { value: Method; label: string }[] = [
  { value: "deepshap", label: "DeepLIFT/SHAP" },
  { value: "ig", label: "Integrated gradients" },
  { value: "saliency", label: "Saliency" },
];
// A bold monospace capital is about 0.6 of the font size wide and 0.72 high.
const FONT = 100;
const GLYPH_WIDTH = 0.6 * FONT;
const GLYPH_HEIGHT = 0.72 * FONT;

type Sequence = Explanation["sequences"][number];

interface RenderApi {
  value: (i: number) => number;
  coord: (p: number[]) => number[];
  size: (p: number[]) => number[];
}

function coordinateName(explanation: Explanation): string {
  return explanation.coordinates === "from_end" ? "distance to the start codon" : "position";
}

function xAxis(explanation: Explanation, item: Sequence, name: boolean) {
  return {
    type: "category",
    data: item.positions.map(String),
    name: name ? coordinateName(explanation) : undefined,
    nameLocation: "middle",
    nameGap: 24,
    nameTextStyle: axisName,
    axisLabel: { fontSize: 10, interval: item.positions.length > 30 ? 4 : 0 },
    axisTick: { alignWithLabel: true },
  };
}

/** The logo: one custom-series datum per position `[index, importance, letter index]`. */
function logoOption(explanation: Explanation, item: Sequence): ChartOption {
  const letters = explanation.letters;
  const data = item.importance.map((height, i) => [i, height, letters.indexOf(item.sequence[i]!)]);
  const reach = Math.max(...item.importance.map(Math.abs), 1e-9);
  return {
    grid: { left: 56, right: 16, top: 10, bottom: 34 },
    tooltip: {
      ...tooltip,
      trigger: "item",
      formatter: (p: { value: number[] }) =>
        `${item.positions[p.value[0]!]} ${item.sequence[p.value[0]!]}: ${formatMetric(p.value[1])}`,
    },
    xAxis: xAxis(explanation, item, true),
    yAxis: {
      type: "value",
      name: explanation.method === "saliency" ? "gradient" : "attribution",
      nameLocation: "middle",
      nameGap: 40,
      nameTextStyle: axisName,
      min: -reach,
      max: reach,
      axisLabel: { fontSize: 10, formatter: (v: number) => formatMetric(v), showMinLabel: false, showMaxLabel: false },
    },
    series: [
      {
        type: "custom",
        name: "logo",
        data,
        encode: { x: 0, y: 1 },
        renderItem: (_params: unknown, api: RenderApi) => {
          const [x, y0] = api.coord([api.value(0), 0]) as [number, number];
          const y1 = api.coord([api.value(0), api.value(1)])[1]!;
          const height = Math.abs(y1 - y0);
          const letter = letters[api.value(2)] ?? "N";
          if (height < 0.5) return { type: "group", children: [] };
          return {
            type: "text",
            x,
            y: (y0 + y1) / 2,
            scaleX: (api.size([1, 0])[0]! * 0.9) / GLYPH_WIDTH,
            scaleY: height / GLYPH_HEIGHT,
            style: {
              text: letter,
              fill: LETTER_COLORS[letter] ?? "#868e96",
              font: `bold ${FONT}px monospace`,
              align: "center",
              verticalAlign: "middle",
            },
          };
        },
      },
    ],
  };
}

/** The ISM heat map: letters × positions, the sequence's own letters marked (their effect is 0). */
function heatmapOption(explanation: Explanation, item: Sequence): ChartOption {
  const letters = explanation.letters;
  const data: unknown[] = [];
  let reach = 1e-9;
  item.values.forEach((row, r) =>
    row.forEach((value, i) => {
      reach = Math.max(reach, Math.abs(value));
      const own = item.sequence[i] === letters[r];
      data.push(own ? { value: [i, r, value], label: { show: true, formatter: "●", fontSize: 7, color: "#495057" } } : [i, r, value]);
    }),
  );
  const effect = explanation.effect === "log_ratio" ? "ln(variant / reference)" : "variant − reference";
  return {
    grid: { left: 56, right: 70, top: 6, bottom: 34 },
    tooltip: {
      ...tooltip,
      formatter: (p: { value: number[] }) => {
        const [i, r, value] = p.value as [number, number, number];
        const own = item.sequence[i];
        return own === letters[r] ? `${item.positions[i]} ${own} (the sequence's letter)` : `${item.positions[i]} ${own}→${letters[r]}: ${formatMetric(value)}`;
      },
    },
    xAxis: xAxis(explanation, item, true),
    yAxis: { type: "category", data: letters, inverse: true, axisLabel: { fontSize: 11 }, splitArea: { show: false } },
    visualMap: {
      type: "continuous",
      min: -reach,
      max: reach,
      right: 0,
      top: "middle",
      itemHeight: 100,
      itemWidth: 10,
      text: ["+", "−"],
      textStyle: { fontSize: 10 },
      inRange: { color: ["#1c7ed6", "#f1f3f5", "#e03131"] },
      calculable: false,
    },
    series: [{ type: "heatmap", name: effect, data, progressive: 0 }],
  };
}

interface Props {
  projectId: string;
  experimentId: string;
  checkpoint: Checkpoint;
  target: string;
  point: ExplainedPoint | null;
  onClose: () => void;
}

export function SequenceExplainer({ projectId, experimentId, checkpoint, target, point, onClose }: Props) {
  const [method, setMethod] = useState<Method>("deepshap");
  const attribution = useExplanation(projectId, experimentId, checkpoint, point, method);
  const ism = useExplanation(projectId, experimentId, checkpoint, point, "ism");
  const item = ism.data?.sequences[0];
  return (
    <Drawer
      opened={point !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Title order={5}>Why this prediction</Title>}
      aria-label="Why this prediction"
    >
      {point && (
        <Stack gap="sm" data-testid="sequence-explainer" data-row={point.row} data-subset={point.subset}>
          <Group gap="xs">
            <Badge variant="light" tt="none">
              {point.subset} · example {point.row + 1}
            </Badge>
            <Text size="sm">
              true {target} {formatMetric(point.measured)} · predicted {formatMetric(point.predicted)}
            </Text>
          </Group>
          {item && (
            <Text ff="monospace" size="sm" style={{ wordBreak: "break-all" }} data-testid="explained-sequence">
              {item.sequence}
            </Text>
          )}
          <Group justify="space-between" wrap="nowrap">
            <Title order={6}>Attribution</Title>
            <SegmentedControl size="xs" aria-label="Attribution method" value={method} onChange={(v) => setMethod(v as Method)} data={METHODS} />
          </Group>
          {attribution.isError ? (
            <Alert color="red">{errorMessage(attribution.error)}</Alert>
          ) : attribution.data ? (
            <EvalChart
              label={`Attribution logo (${method})`}
              height={200}
              option={logoOption(attribution.data, attribution.data.sequences[0]!)}
              data={{
                "data-testid": "attribution-logo",
                "data-method": attribution.data.method,
                "data-coordinates": attribution.data.coordinates,
                "data-positions": attribution.data.sequences[0]!.positions.join(","),
              }}
            />
          ) : (
            <Loader size="sm" />
          )}
          <Text size="xs" c="dimmed">
            Each letter is the sequence's own; above the line it raises the prediction, below it lowers it.
          </Text>
          <Title order={6}>Every single substitution (in-silico mutagenesis)</Title>
          {ism.isError ? (
            <Alert color="red">{errorMessage(ism.error)}</Alert>
          ) : ism.data && item ? (
            <EvalChart
              label="In-silico mutagenesis heat map"
              height={190}
              option={heatmapOption(ism.data, item)}
              data={{ "data-testid": "ism-heatmap", "data-cells": item.values.length * item.positions.length, "data-coordinates": ism.data.coordinates }}
            />
          ) : (
            <Loader size="sm" />
          )}
          {ism.data && (
            <Text size="xs" c="dimmed">
              The predicted change of {ism.data.label} ({ism.data.effect === "log_ratio" ? "ln of the ratio" : "difference"}) when the letter at a position becomes
              the row's; red raises, blue lowers; ● marks the sequence's own letters.
            </Text>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

/**
 * The predicted value per round: a box plot of all designs per round (round 0: the starts) and
 * each design's trajectory as a faint line that stands out on hover, with its name.
 */
import { BoxplotChart } from "echarts/charts";
import * as echarts from "echarts/core";

import { axisName, EvalChart, tooltip, type ChartOption } from "../evaluation/chart";

echarts.use([BoxplotChart]);

/** [min, Q1, median, Q3, max] of some numbers (linear interpolation between ranks). */
export function fiveNumbers(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(low + 1, sorted.length - 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
  };
  return [at(0), at(0.25), at(0.5), at(0.75), at(1)];
}

interface Props {
  /** Per round, every design's prediction after it. */
  rounds: number[][];
  names: string[];
  label: string;
}

export function RoundsChart({ rounds, names, label }: Props) {
  const categories = rounds.map((_, i) => String(i));
  const designs = rounds[0]?.length ?? 0;
  const lines = Array.from({ length: designs }, (_, d) => ({
    name: names[d] ?? `design ${d + 1}`,
    type: "line",
    data: rounds.map((round) => round[d] ?? null),
    symbol: "none",
    lineStyle: { width: 1, opacity: 0.18, color: "#7950f2" },
    emphasis: { focus: "series", lineStyle: { width: 2.5, opacity: 1 } },
    z: 3,
  }));
  const option: ChartOption = {
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    tooltip: { ...tooltip, trigger: "item" },
    xAxis: { type: "category", data: categories, name: "round", nameLocation: "middle", nameGap: 26, nameTextStyle: axisName },
    yAxis: { type: "value", scale: true, name: label, nameTextStyle: axisName },
    series: [
      {
        name: "all designs",
        type: "boxplot",
        data: rounds.map(fiveNumbers),
        itemStyle: { color: "rgba(12, 166, 120, 0.15)", borderColor: "#0ca678" },
        z: 2,
      },
      ...lines,
    ],
  };
  return (
    <EvalChart
      label={`${label} per round`}
      height={300}
      option={option}
      data={{ "data-testid": "design-rounds", "data-rounds": rounds.length }}
    />
  );
}

/**
 * A sequence column's per-position composition for its header: one stacked bar per position of
 * the one-hot window (A, C, G, T fractions), so alignment and padding are visible at a glance.
 */
import { BASE_COLORS, OTHER_BASE_COLOR } from "../../../theme";
import { Chart, tooltipStyle } from "./echarts";

const LETTERS = ["A", "C", "G", "T"];

export function SequenceLogo({ fractions, width, height = 40, letters = LETTERS }: { fractions: number[][]; width: number; height?: number; letters?: string[] }) {
  const positions = fractions.map((_, i) => String(i + 1));
  const series = [...letters, "other"].map((letter, k) => ({
    name: letter,
    type: "bar",
    stack: "composition",
    data: fractions.map((row) => row[k] ?? 0),
    itemStyle: { color: BASE_COLORS[letter] ?? OTHER_BASE_COLOR },
    barCategoryGap: "6%",
  }));
  return (
    <Chart
      label="per-position composition"
      width={width}
      height={height}
      option={{
        grid: { left: 0, right: 0, top: 2, bottom: 0 },
        xAxis: { type: "category", data: positions, show: false },
        yAxis: { type: "value", show: false, max: 1 },
        tooltip: {
          ...tooltipStyle,
          trigger: "axis",
          axisPointer: { type: "shadow" },
          valueFormatter: (value: number) => `${Math.round(value * 100)} %`,
        },
        series,
      }}
    />
  );
}

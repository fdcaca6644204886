/** One number feature's distribution in each subset, on the shared bins, as grouped bars. */
import { formatNumber } from "../../../format";
import { Chart, tooltipStyle } from "./echarts";

const PALETTE = ["#12b886", "#4c6ef5", "#fab005", "#fa5252", "#be4bdb", "#15aabf"];

export function SubsetHistograms({ edges, bySubset, height = 160 }: { edges: number[]; bySubset: Record<string, number[]>; height?: number }) {
  const labels = edges.slice(0, -1).map((edge) => formatNumber(edge));
  const names = Object.keys(bySubset);
  return (
    <Chart
      label="distribution per subset"
      height={height}
      option={{
        grid: { left: 40, right: 8, top: 24, bottom: 24 },
        legend: { top: 0, textStyle: { fontSize: 11 }, itemWidth: 10, itemHeight: 8 },
        xAxis: { type: "category", data: labels, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", axisLabel: { fontSize: 10, formatter: (v: number) => `${Math.round(v * 100)}%` } },
        tooltip: { ...tooltipStyle, trigger: "axis", valueFormatter: (v: number) => `${(v * 100).toFixed(1)} %` },
        series: names.map((name, i) => {
          const counts = bySubset[name] ?? [];
          const total = counts.reduce((a, b) => a + b, 0) || 1;
          return {
            name,
            type: "bar",
            data: counts.map((c) => c / total), // shares, so small subsets compare with large ones
            itemStyle: { color: PALETTE[i % PALETTE.length] },
          };
        }),
      }}
    />
  );
}

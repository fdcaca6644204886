/** A number column's distribution as a small bar chart for its header (bins from the statistics). */
import { formatNumber } from "../../../format";
import { Chart, tooltipStyle } from "./echarts";

export function MiniHistogram({ counts, edges, width, height = 40 }: { counts: number[]; edges?: number[]; width: number; height?: number }) {
  const labels = counts.map((_, i) =>
    edges ? `${formatNumber(edges[i])} to ${formatNumber(edges[i + 1])}` : `bin ${i + 1}`,
  );
  return (
    <Chart
      label="histogram"
      width={width}
      height={height}
      option={{
        grid: { left: 0, right: 0, top: 2, bottom: 0 },
        xAxis: { type: "category", data: labels, show: false },
        yAxis: { type: "value", show: false },
        tooltip: { ...tooltipStyle, trigger: "axis", axisPointer: { type: "shadow" } },
        series: [{ type: "bar", data: counts, barCategoryGap: "8%", itemStyle: { color: "#7950f2" }, name: "rows" }],
      }}
    />
  );
}

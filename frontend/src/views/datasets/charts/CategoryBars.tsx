/** A categorical column's class counts as small bars for its header. */
import { Chart, tooltipStyle } from "./echarts";

export function CategoryBars({ counts, width, height = 40 }: { counts: Record<string, number>; width: number; height?: number }) {
  const names = Object.keys(counts);
  return (
    <Chart
      label="class counts"
      width={width}
      height={height}
      option={{
        grid: { left: 0, right: 0, top: 2, bottom: names.length <= 6 ? 14 : 0 },
        xAxis: {
          type: "category",
          data: names,
          show: names.length <= 6,
          axisLine: { show: false },
          axisTick: { show: false },
          axisLabel: { fontSize: 9, margin: 2, interval: 0 },
        },
        yAxis: { type: "value", show: false },
        tooltip: { ...tooltipStyle, trigger: "axis", axisPointer: { type: "shadow" } },
        series: [{ type: "bar", data: names.map((n) => counts[n]), itemStyle: { color: "#fd7e14" }, name: "rows", barCategoryGap: "25%" }],
      }}
    />
  );
}

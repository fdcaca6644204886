/**
 * ECharts with only the parts the UI uses (bars and lines, SVG renderer), in a component that
 * follows the colour scheme. Every chart in the UI goes through `<Chart option=… />`.
 */
import { useComputedColorScheme } from "@mantine/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import type { EChartsCoreOption } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/lib/core";
import type { CSSProperties } from "react";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = EChartsCoreOption;

export function Chart({ option, height, width, label }: { option: ChartOption; height: number; width?: number | string; label: string }) {
  const scheme = useComputedColorScheme("light");
  const style: CSSProperties = { height, width: width ?? "100%" };
  return (
    <div role="img" aria-label={label} style={style}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ backgroundColor: "transparent", animation: false, ...option }}
        theme={scheme === "dark" ? "dark" : undefined}
        opts={{ renderer: "svg" }}
        style={style}
        notMerge
      />
    </div>
  );
}

/** Tooltip and axis text colours that read on both schemes. */
export const tooltipStyle = { confine: true, textStyle: { fontSize: 11 }, padding: [4, 8] };

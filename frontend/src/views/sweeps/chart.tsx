/**
 * ECharts for the sweep page: the best-so-far line, parallel coordinates coloured by the
 * objective (a visual map), and the parameter importances as bars.
 */
import { useComputedColorScheme } from "@mantine/core";
import { BarChart, LineChart, ParallelChart, ScatterChart } from "echarts/charts";
import { GridComponent, ParallelComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import type { EChartsCoreOption } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/lib/core";

echarts.use([
  BarChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  GridComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

interface Props {
  option: EChartsCoreOption;
  height: number;
  label: string;
  data?: Record<string, string | number>;
}

export function SweepChart({ option, height, label, data }: Props) {
  const scheme = useComputedColorScheme("light");
  const style = { height, width: "100%" };
  return (
    <div role="img" aria-label={label} style={style} {...data}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ backgroundColor: "transparent", animation: false, ...option }}
        theme={scheme === "dark" ? "dark" : undefined}
        opts={{ renderer: "canvas" }}
        style={style}
        notMerge
      />
    </div>
  );
}

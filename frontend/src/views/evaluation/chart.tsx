/**
 * ECharts for the Evaluation view: the canvas renderer (tens of thousands of points stay
 * fluid), scatter, line, heat map and custom (rectangle) series, mark lines and a zoom.
 * `<EvalChart option=… />` follows the colour scheme like the Datasets view's charts do.
 */
import { useComputedColorScheme } from "@mantine/core";
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import type { EChartsCoreOption } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import ReactEChartsCore from "echarts-for-react/lib/core";
import type { CSSProperties } from "react";

echarts.use([
  BarChart,
  CustomChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;

interface Props {
  option: ChartOption;
  height: number;
  label: string;
  /** Extra attributes for tests and assistive tools (e.g. `data-points`). */
  data?: Record<string, string | number>;
  /** ECharts events by name, e.g. `{ click: (p) => … }` on a series' datum. */
  onEvents?: Record<string, (params: never) => void>;
}

export function EvalChart({ option, height, label, data, onEvents }: Props) {
  const scheme = useComputedColorScheme("light");
  const style: CSSProperties = { height, width: "100%" };
  return (
    <div role="img" aria-label={label} style={style} {...data}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ backgroundColor: "transparent", animation: false, ...option }}
        theme={scheme === "dark" ? "dark" : undefined}
        opts={{ renderer: "canvas" }}
        style={style}
        onEvents={onEvents}
        notMerge
        lazyUpdate
      />
    </div>
  );
}

/** The palette every chart of the view uses, so an experiment keeps its colour between plots. */
export const PALETTE = ["#0ca678", "#7950f2", "#f08c00", "#1c7ed6", "#e03131", "#5c940d", "#d6336c", "#495057"];

export const TRAINING_COLOR = "#7950f2";
export const VALIDATION_COLOR = "#0ca678";
export const REFERENCE_COLOR = "#e8590c";
export const BEST_COLOR = "#868e96";

export const tooltip = { confine: true, textStyle: { fontSize: 11 }, padding: [4, 8] };
export const axisName = { fontSize: 11, color: "#868e96" };

/**
 * A value axis's ends stretched to keep `levels` (reference lines) in view even while the curve
 * is far from them, padded by 5 % of the span and rounded outward to that pad's decimal place,
 * so the end labels read 0.67 or -0.1 rather than -0.04989646093600034.
 */
export function axisReaching(levels: number[]) {
  if (!levels.length) return {};
  type Extent = { min: number; max: number };
  const ends = (extent: Extent) => {
    const lo = Math.min(extent.min, ...levels);
    const hi = Math.max(extent.max, ...levels);
    const pad = Math.max((hi - lo) * 0.05, 1e-6);
    const step = 10 ** Math.floor(Math.log10(pad));
    const round = (n: number) => Number((n * step).toPrecision(12));
    return { min: round(Math.floor((lo - pad) / step)), max: round(Math.ceil((hi + pad) / step)) };
  };
  return { min: (extent: Extent) => ends(extent).min, max: (extent: Extent) => ends(extent).max };
}

/**
 * A custom series drawing one rectangle per datum `[x0, x1, y0, y1, value]` on value axes:
 * histogram bars from bin edges, and density cells from 2-D bin edges.
 */
export function rectangles(name: string, data: number[][], color?: string): Record<string, unknown> {
  return {
    type: "custom",
    name,
    data,
    encode: { x: [0, 1], y: [2, 3], tooltip: 4 },
    renderItem: (
      _params: unknown,
      api: { value: (i: number) => number; coord: (p: number[]) => number[]; visual: (k: string) => string; style: (o?: object) => object },
    ) => {
      const [x0, y0] = api.coord([api.value(0), api.value(2)]) as [number, number];
      const [x1, y1] = api.coord([api.value(1), api.value(3)]) as [number, number];
      return {
        type: "rect",
        shape: { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) },
        style: { fill: color ?? api.visual("color") },
      };
    },
  };
}

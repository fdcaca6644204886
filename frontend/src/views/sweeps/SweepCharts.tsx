/** The sweep page's three charts: best so far, parallel coordinates, parameter importances. */
import { Card, Text } from "@mantine/core";

import type { Sweep } from "../../api/types";
import { SweepChart } from "./chart";

const shown = (value: unknown): string => (value === null || value === undefined ? "none" : String(value));

const GOOD_TO_BAD = ["#50a3ba", "#eac736", "#d94e5d"];

/** A dimension is drawn on a value axis when every trial's value of it is a number. */
const numeric = (values: unknown[]): boolean => values.length > 0 && values.every((v) => typeof v === "number");

export function BestCurve({ sweep }: { sweep: Sweep }) {
  const points = sweep.best_curve;
  return (
    <Card withBorder padding="sm">
      <Text size="sm" fw={600}>
        Best so far ({sweep.objective.metric}, {sweep.direction})
      </Text>
      <SweepChart
        label="Best objective so far"
        height={220}
        data={{ "data-points": points.length }}
        option={{
          grid: { left: 56, right: 16, top: 16, bottom: 40 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", name: "trial, as finished", nameLocation: "middle", nameGap: 24, data: points.map((p) => String(p.trial)) },
          yAxis: { type: "value", scale: true },
          series: [
            { name: "trial", type: "scatter", data: points.map((p) => p.value), symbolSize: 7 },
            { name: "best", type: "line", step: "end", data: points.map((p) => p.best), symbol: "none" },
          ],
        }}
      />
    </Card>
  );
}

export function ParallelCoordinates({ sweep }: { sweep: Sweep }) {
  const scored = sweep.trials.filter((t) => t.value !== null);
  const dims = sweep.dimensions;
  const isNumber = dims.map((d) => numeric(sweep.trials.map((t) => t.params[d])));
  const categories = dims.map((d) => [...new Set(sweep.trials.map((t) => shown(t.params[d])))]);
  const cell = (t: (typeof scored)[number], d: string, i: number) => (isNumber[i] ? t.params[d] : shown(t.params[d]));
  const values = scored.map((t) => t.value ?? 0);
  return (
    <Card withBorder padding="sm">
      <Text size="sm" fw={600}>
        Parameters of each trial, coloured by {sweep.objective.metric}
      </Text>
      <SweepChart
        label="Parallel coordinates of the trials"
        height={260}
        data={{ "data-lines": scored.length }}
        option={{
          parallel: { left: 48, right: 120, top: 32, bottom: 24 },
          parallelAxis: [
            ...dims.map((name, i) =>
              isNumber[i] ? { dim: i, name, type: "value", scale: true } : { dim: i, name, type: "category", data: categories[i] },
            ),
            { dim: dims.length, name: sweep.objective.metric, type: "value", scale: true },
          ],
          visualMap: {
            min: values.length ? Math.min(...values) : 0,
            max: values.length ? Math.max(...values) : 1,
            dimension: dims.length,
            precision: 3,
            right: 0,
            top: "middle",
            calculable: true,
            // the better end is teal, the worse red, whichever way the objective points
            inRange: { color: sweep.direction === "minimize" ? [...GOOD_TO_BAD] : [...GOOD_TO_BAD].reverse() },
          },
          series: [
            {
              type: "parallel",
              lineStyle: { width: 2, opacity: 0.7 },
              data: scored.map((t) => [...dims.map((d, i) => cell(t, d, i)), t.value]),
            },
          ],
        }}
      />
    </Card>
  );
}

export function Importances({ sweep }: { sweep: Sweep }) {
  const entries = Object.entries(sweep.importances).sort((a, b) => a[1] - b[1]);
  return (
    <Card withBorder padding="sm">
      <Text size="sm" fw={600}>
        Parameter importances
      </Text>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed" py="md">
          Shown once two trials have completed with different scores.
        </Text>
      ) : (
        <SweepChart
          label="Parameter importances"
          height={40 + entries.length * 26}
          data={{ "data-bars": entries.length }}
          option={{
            grid: { left: 110, right: 16, top: 8, bottom: 24 },
            xAxis: { type: "value", max: 1 },
            yAxis: { type: "category", data: entries.map(([name]) => name) },
            series: [{ type: "bar", data: entries.map(([, v]) => Number(v.toFixed(3))) }],
          }}
        />
      )}
    </Card>
  );
}

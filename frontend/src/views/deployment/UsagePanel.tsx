/**
 * Requests and latency per minute (bars and lines), with the window's totals, refreshed while
 * shown. Minutes without calls are drawn as zero requests and gaps in the latency lines.
 */
import { Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";

import { formatCount, formatNumber } from "../../format";
import { Chart, tooltipStyle, type ChartOption } from "../datasets/charts/echarts";
import { useUsage } from "./queries";
import type { Usage } from "./types";

const WINDOWS = [
  { value: "1", label: "1 h" },
  { value: "6", label: "6 h" },
  { value: "24", label: "24 h" },
];
const MINUTE = 60_000;

export function UsagePanel({ projectId, deploymentId }: { projectId: string; deploymentId: string }) {
  const [hours, setHours] = useState("1");
  const usage = useUsage(projectId, deploymentId, Number(hours));
  const data = usage.data;
  const window = WINDOWS.find((w) => w.value === hours)!.label;
  return (
    <Card withBorder radius="md" p="md" aria-label="Usage">
      <Stack gap="sm">
        <Group justify="space-between">
          <div>
            <Title order={5}>Requests and latency</Title>
            <Text size="xs" c="dimmed">
              Calls of the URL per minute (test-form calls are not counted); refreshed every 10 s.
            </Text>
          </div>
          <SegmentedControl size="xs" data={WINDOWS} value={hours} onChange={setHours} aria-label="Usage window" />
        </Group>
        <SimpleGrid cols={5} spacing="xs">
          <Stat label={`Requests · ${window}`} value={formatCount(data?.requests)} testId="usage-requests" />
          <Stat label="Errors" value={formatCount(data?.errors)} tone={data?.errors ? "red" : undefined} testId="usage-errors" />
          <Stat label="Rows predicted" value={formatCount(data?.rows)} testId="usage-rows" />
          <Stat label="Mean latency" value={ms(data?.mean_latency_ms)} />
          <Stat label="Max latency" value={ms(data?.max_latency_ms)} />
        </SimpleGrid>
        <Chart option={usageChart(data, Number(hours))} height={220} label={`Requests and latency per minute, last ${window}`} />
        {data && data.requests === 0 && (
          <Text size="xs" c="dimmed" ta="center" mt={-8}>
            No calls in the last {window}. Run one of the snippets above and it appears here within seconds.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function Stat({ label, value, tone, testId }: { label: string; value: string; tone?: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" truncate>
        {label}
      </Text>
      <Text fw={700} size="lg" c={tone} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${formatNumber(value, 2)} ms`;
}

/** Server times are UTC; one without an offset is read as UTC, not as local time. */
function instant(iso: string): number {
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
}

export function usageChart(usage: Usage | undefined, hours: number): ChartOption {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const start = end - hours * 60 * MINUTE + MINUTE;
  const byMinute = new Map((usage?.minutes ?? []).map((m) => [Math.floor(instant(m.minute) / MINUTE) * MINUTE, m]));
  const requests: [number, number][] = [];
  const errors: [number, number][] = [];
  const mean: [number, number | null][] = [];
  const max: [number, number | null][] = [];
  for (let t = start; t <= end; t += MINUTE) {
    const m = byMinute.get(t);
    requests.push([t, m ? m.requests - m.errors : 0]);
    errors.push([t, m?.errors ?? 0]);
    mean.push([t, m ? m.mean_latency_ms : null]);
    max.push([t, m ? m.max_latency_ms : null]);
  }
  const bar = { type: "bar", stack: "requests", barMaxWidth: 10, barMinWidth: 1, yAxisIndex: 0 };
  const line = { type: "line", yAxisIndex: 1, showSymbol: true, symbolSize: 6, connectNulls: false, lineStyle: { width: 1.5 } };
  return {
    color: ["#12b886", "#fa5252", "#1c7ed6", "#f08c00"],
    grid: { left: 44, right: 44, top: 40, bottom: 24 },
    legend: { top: 0, left: "center", itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: { ...tooltipStyle, trigger: "axis" },
    xAxis: { type: "time", min: start - MINUTE / 2, max: end + MINUTE / 2, axisLabel: { fontSize: 10, hideOverlap: true } },
    yAxis: [
      { type: "value", name: "requests", minInterval: 1, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
      { type: "value", name: "ms", nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 }, splitLine: { show: false } },
    ],
    series: [
      { ...bar, name: "requests", data: requests },
      { ...bar, name: "errors", data: errors },
      { ...line, name: "mean latency", data: mean },
      { ...line, name: "max latency", data: max, lineStyle: { width: 1, type: "dashed" } },
    ],
  };
}

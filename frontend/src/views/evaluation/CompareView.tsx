/**
 * Experiments side by side: their curves overlaid, a table of their metrics (the best of each
 * row in bold), the run settings that differ, and how their graphs differ.
 */
import { Anchor, Badge, Box, Card, ColorSwatch, Group, Loader, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconArrowLeft } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";

import { errorMessage } from "../../api/client";
import { Inspector } from "../../shell/Inspector";
import { formatCount, formatMetric } from "../../format";
import { axisName, axisReaching, EvalChart, PALETTE, REFERENCE_COLOR, tooltip, type ChartOption } from "./chart";
import "./evaluation.css";
import { bareLabel, higherIsBetter, linesFor, metricLabel, useReferenceLines, type ReferenceLine } from "./metrics";
import { graphName } from "../modeling/graph";
import { ExperimentMultiPicker } from "../shared/ExperimentPicker";
import { useComparison, type Comparison } from "./queries";
import { openingSubset } from "./subsets";

function display(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatMetric(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function CompareView({ projectId, base }: { projectId: string; base: string }) {
  const [params, setParams] = useSearchParams();
  const ids = (params.get("ids") ?? "").split(",").filter(Boolean);
  const comparison = useComparison(projectId, ids);
  const lines = useReferenceLines(projectId);
  const choose = (next: string[]) => setParams({ ids: next.join(",") }, { replace: true });

  let body: ReactNode;
  if (ids.length < 2) body = <Text c="dimmed" size="sm">Pick at least two experiments to compare.</Text>;
  else if (comparison.isLoading) body = <Loader />;
  else if (comparison.isError) body = <Text c="red" size="sm">{errorMessage(comparison.error)}</Text>;
  else if (comparison.data) body = <ComparisonBody comparison={comparison.data} base={base} lines={lines} />;

  return (
    <Box style={{ flex: 1, minHeight: 0, overflow: "auto" }}>
      <Stack p="lg" gap="md" maw={1400}>
        <Stack gap={0}>
          <Anchor component={Link} to={base} size="xs" c="dimmed">
            <Group gap={4} wrap="nowrap">
              <IconArrowLeft size={12} /> All experiments
            </Group>
          </Anchor>
          <Title order={4}>Compare experiments</Title>
        </Stack>
        <ExperimentMultiPicker
          projectId={projectId}
          aria-label="Experiments to compare"
          placeholder="Add an experiment"
          value={ids}
          onChange={choose}
          maxValues={50}
          size="sm"
        />
        {body}
      </Stack>
    </Box>
  );
}

function ComparisonBody({ comparison, base, lines }: { comparison: Comparison; base: string; lines: ReferenceLine[] }) {
  const rows = comparison.table;
  const colour = (i: number) => PALETTE[i % PALETTE.length]!;
  const curveKeys = [...new Set(Object.values(comparison.curves).flatMap((c) => Object.keys(c)))].filter((k) => k !== "epoch");
  const [metric, setMetric] = useState<string>(curveKeys.includes("val_pearson_r2") ? "val_pearson_r2" : curveKeys.find((k) => k !== "loss" && k !== "val_loss") ?? "val_loss");
  const lossKey = curveKeys.includes("val_loss") ? "val_loss" : "loss";

  const subsets = [...new Set(rows.flatMap((r) => Object.keys(r.metrics ?? {})))];
  const [subset, setSubset] = useState<string | null>(null);
  const shownSubset = subset && subsets.includes(subset) ? subset : openingSubset(subsets);

  const curve = (key: string, references: ReferenceLine[]): ChartOption => ({
    grid: { left: 48, right: 16, top: 28, bottom: 40 },
    legend: { top: 0, right: 0, type: "scroll", textStyle: { fontSize: 11 }, itemWidth: 14 },
    tooltip: { ...tooltip, trigger: "axis", valueFormatter: (v: number) => formatMetric(v) },
    xAxis: { type: "value", name: "epoch", nameLocation: "middle", nameGap: 24, nameTextStyle: axisName, min: 1, minInterval: 1, splitLine: { show: false } },
    yAxis: {
      type: "value",
      scale: true,
      axisLabel: { fontSize: 10 },
      ...axisReaching(references.map((r) => r.value)),
    },
    series: rows.map((row, i) => {
      const c = comparison.curves[row.name] ?? {};
      const epochs = c.epoch ?? [];
      return {
        type: "line",
        name: row.name,
        color: colour(i),
        symbolSize: 4,
        showSymbol: epochs.length < 60,
        data: epochs.map((e, k) => [e, c[key]?.[k] ?? null]),
        markLine:
          i === 0 && references.length
            ? {
                silent: true,
                symbol: "none",
                lineStyle: { color: REFERENCE_COLOR, width: 1.5, type: "solid" },
                data: references.map((r) => ({
                  yAxis: r.value,
                  label: { formatter: `${r.name} ${r.value}`, position: "insideEndTop", fontSize: 10, color: REFERENCE_COLOR },
                })),
              }
            : undefined,
      };
    }),
  });
  const references = linesFor(metric, lines);

  // Metric rows: every numeric metric of any target in the chosen subset.
  const targets = [...new Set(rows.flatMap((r) => Object.keys(r.metrics?.[shownSubset ?? ""] ?? {})))];
  const metricRows = targets.flatMap((target) => {
    const keys = [...new Set(rows.flatMap((r) => Object.entries(r.metrics?.[shownSubset ?? ""]?.[target] ?? {}).filter(([, v]) => typeof v === "number").map(([k]) => k)))];
    return keys.map((key) => ({ target, key, values: rows.map((r) => r.metrics?.[shownSubset ?? ""]?.[target]?.[key] as number | undefined) }));
  });
  const bestOf = (key: string, values: (number | undefined)[]) => {
    const defined = values.filter((v): v is number => typeof v === "number");
    if (defined.length < 2 || key === "n") return null;
    return higherIsBetter(key) ? Math.max(...defined) : Math.min(...defined);
  };

  const head = (
    <Table.Thead>
      <Table.Tr>
        <Table.Th w={200} />
        {rows.map((row, i) => (
          <Table.Th key={row.id} ta="right">
            <Group gap={6} justify="flex-end" wrap="nowrap">
              <ColorSwatch color={colour(i)} size={10} />
              <Anchor component={Link} to={`${base}/${row.id}`} size="sm" fw={600}>
                {row.name}
              </Anchor>
            </Group>
          </Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
  const section = (label: string) => (
    <Table.Tr>
      <Table.Td colSpan={rows.length + 1} bg="var(--mantine-color-default-hover)">
        <Text size="xs" fw={700} tt="uppercase" c="dimmed" lts={0.5}>
          {label}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
  const settingsDiff = Object.entries(comparison.settings_diff);
  const graphDiff = comparison.graph_diff as { nodes: { node: string; present: boolean[]; type: (string | null)[]; params: Record<string, unknown[]> }[]; edges: { src: string; dst: string; present: boolean[] }[] };

  return (
    <Stack gap="md">
      <Inspector title={`Comparing ${rows.length} experiments`}>
        <Stack gap={8}>
          {rows.map((row, i) => (
            <Group key={row.id} gap="xs" wrap="nowrap" justify="space-between">
              <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
                <ColorSwatch color={colour(i)} size={10} />
                <Anchor component={Link} to={`${base}/${row.id}`} size="sm" truncate>
                  {row.name}
                </Anchor>
              </Group>
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                {row.status}, best epoch {row.best_epoch ?? "—"}
              </Text>
            </Group>
          ))}
          <Text size="xs" c="dimmed">
            {settingsDiff.length === 0 ? "Same run settings" : `${settingsDiff.length} run setting${settingsDiff.length > 1 ? "s" : ""} differ`}
            {" · "}
            {comparison.graphs_equal ? "same graph" : "different graphs"}. The best value of each metric is in bold.
          </Text>
        </Stack>
      </Inspector>
      <Card withBorder radius="md" p="md">
        <Title order={5} mb="xs">
          Curves
        </Title>
        <SimpleGrid cols={2}>
          <div>
            <Group h={30} mb={4}>
              <Text size="sm" fw={600}>
                {metricLabel(lossKey)}
              </Text>
            </Group>
            <EvalChart label={`${metricLabel(lossKey)} of the compared experiments`} height={260} option={curve(lossKey, [])} data={{ "data-testid": "compare-loss" }} />
          </div>
          <div>
            <Group h={30} mb={4} justify="space-between" wrap="nowrap">
              <Text size="sm" fw={600}>
                Metric
              </Text>
              <Select
                size="xs"
                w={220}
                aria-label="Compared metric"
                value={metric}
                onChange={(v) => v && setMetric(v)}
                data={curveKeys.map((k) => ({ value: k, label: metricLabel(k) }))}
                allowDeselect={false}
              />
            </Group>
            <EvalChart label={`${metricLabel(metric)} of the compared experiments`} height={260} option={curve(metric, references)} data={{ "data-testid": "compare-metric" }} />
          </div>
        </SimpleGrid>
      </Card>
      <Card withBorder radius="md" p="md">
        <Group justify="space-between" mb="xs">
          <Title order={5}>Side by side</Title>
          {subsets.length > 0 && shownSubset && (
            <Group gap="xs">
              <Text size="xs" c="dimmed">
                Metrics at each best epoch on
              </Text>
              <SegmentedControl size="xs" value={shownSubset} onChange={setSubset} data={subsets} aria-label="Subset" />
            </Group>
          )}
        </Group>
        <Table className="eval-compare-table" withRowBorders verticalSpacing={4} fz="sm" aria-label="Comparison" data-testid="compare-table">
          {head}
          <Table.Tbody>
            <Table.Tr>
              <Table.Td c="dimmed">Status</Table.Td>
              {rows.map((r) => (
                <Table.Td key={r.id} ta="right">
                  {r.status}
                </Table.Td>
              ))}
            </Table.Tr>
            <Table.Tr>
              <Table.Td c="dimmed">Best epoch</Table.Td>
              {rows.map((r) => (
                <Table.Td key={r.id} ta="right">
                  {r.best_epoch ?? "—"} of {r.epochs_done}
                </Table.Td>
              ))}
            </Table.Tr>
            <Table.Tr>
              <Table.Td c="dimmed">Graph</Table.Td>
              {rows.map((r) => (
                <Table.Td key={r.id} ta="right">
                  {graphName(r.graph.name)}
                  {r.graph.parameters !== undefined && (
                    <Text span size="xs" c="dimmed">
                      {" "}
                      · {formatCount(r.graph.parameters)} parameters
                    </Text>
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
            {section(`Metrics${targets.length === 1 ? ` · ${targets[0]}` : ""}`)}
            {metricRows.map(({ target, key, values }) => {
              const best = bestOf(key, values);
              return (
                <Table.Tr key={`${target}.${key}`}>
                  <Table.Td c="dimmed">
                    {targets.length > 1 ? `${target} · ` : ""}
                    {bareLabel(key)}
                    {linesFor(key, lines).map((line) => (
                      <Badge key={line.name} ml={6} size="xs" variant="light" color="orange" tt="none" title={line.name}>
                        {line.value}
                      </Badge>
                    ))}
                  </Table.Td>
                  {values.map((v, i) => (
                    <Table.Td key={rows[i]!.id} ta="right" className={best !== null && v === best ? "best" : undefined} style={{ fontVariantNumeric: "tabular-nums" }}>
                      {key === "n" ? formatCount(v ?? null) : formatMetric(v ?? null)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
            {metricRows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={rows.length + 1} c="dimmed">
                  No evaluation yet.
                </Table.Td>
              </Table.Tr>
            )}
            {section("Settings that differ")}
            {settingsDiff.map(([key, values]) => (
              <Table.Tr key={key} data-setting={key}>
                <Table.Td c="dimmed" ff="monospace" fz="xs">
                  {key}
                </Table.Td>
                {values.map((v, i) => (
                  <Table.Td key={rows[i]!.id} ta="right">
                    {display(v)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
            {settingsDiff.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={rows.length + 1} c="dimmed">
                  The run settings are the same.
                </Table.Td>
              </Table.Tr>
            )}
            {section("Graph differences")}
            {comparison.graphs_equal && (
              <Table.Tr>
                <Table.Td colSpan={rows.length + 1} c="dimmed">
                  The graphs are the same.
                </Table.Td>
              </Table.Tr>
            )}
            {graphDiff.nodes.flatMap((node) => {
              const lines: [string, ReactNode[]][] = [];
              if (node.present.some((p) => !p) || new Set(node.type).size > 1) {
                lines.push([`${node.node}`, node.type.map((t, i) => (node.present[i] ? t : "absent"))]);
              }
              for (const [param, values] of Object.entries(node.params)) {
                lines.push([`${node.node}.${param}`, values.map(display)]);
              }
              return lines.map(([label, values]) => (
                <Table.Tr key={label}>
                  <Table.Td c="dimmed" ff="monospace" fz="xs">
                    {label}
                  </Table.Td>
                  {values.map((v, i) => (
                    <Table.Td key={rows[i]!.id} ta="right">
                      {v}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ));
            })}
            {graphDiff.edges.map((edge) => (
              <Table.Tr key={`${edge.src}->${edge.dst}`}>
                <Table.Td c="dimmed" ff="monospace" fz="xs">
                  {edge.src} → {edge.dst}
                </Table.Td>
                {edge.present.map((p, i) => (
                  <Table.Td key={rows[i]!.id} ta="right">
                    {p ? "connected" : "—"}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}

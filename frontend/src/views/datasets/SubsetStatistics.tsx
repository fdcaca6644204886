/**
 * Statistics per subset for every feature: counts, means and spreads of numbers (with their
 * distributions on shared bins), class counts, sequence lengths and base composition.
 */
import { Badge, Box, Card, Group, Stack, Table, Text, Title } from "@mantine/core";

import type { DataStats, FeatureStats } from "../../api/types";
import { formatCount, formatNumber } from "../../format";
import { SubsetHistograms } from "./charts/SubsetHistograms";
import { isNumeric, TYPE_LOOKS, type Column } from "./columns";

export function SubsetStatistics({ stats, columns }: { stats: DataStats; columns: Column[] }) {
  const subsets = Object.keys(stats.subsets);
  const scopes: [string, (feature: string) => FeatureStats | undefined][] = [
    ["all rows", (f) => stats.all[f]],
    ...subsets.map((s): [string, (feature: string) => FeatureStats | undefined] => [s, (f) => stats.subsets[s]?.[f]]),
  ];
  return (
    <Stack gap="md">
      {columns.map((column) => (
        <Card key={column.name} withBorder radius="md" p="md">
          <Group gap="xs" mb="xs">
            <Title order={6}>{column.name}</Title>
            <Badge size="xs" variant="light" color={TYPE_LOOKS[column.type].color}>
              {TYPE_LOOKS[column.type].label}
            </Badge>
          </Group>
          <FeatureStatsBody column={column} scopes={scopes} all={stats.all[column.name]} subsets={subsets} stats={stats} />
        </Card>
      ))}
    </Stack>
  );
}

type Scope = [string, (feature: string) => FeatureStats | undefined];

function FeatureStatsBody({ column, scopes, all, subsets, stats }: { column: Column; scopes: Scope[]; all?: FeatureStats; subsets: string[]; stats: DataStats }) {
  const name = column.name;
  if (isNumeric(column.type) && all?.histogram?.edges) {
    const bySubset = Object.fromEntries(subsets.map((s) => [s, stats.subsets[s]?.[name]?.histogram?.counts ?? []]));
    return (
      <Group align="flex-start" wrap="nowrap" gap="lg">
        <StatsTable scopes={scopes} feature={name} columns={["Rows", "Mean", "SD", "Min", "Max"]} cells={(s) => [formatCount(s.count), formatNumber(s.mean), formatNumber(s.sd), formatNumber(s.min), formatNumber(s.max)]} />
        <Box style={{ flex: 1, minWidth: 260 }}>
          <SubsetHistograms edges={all.histogram.edges} bySubset={subsets.length ? bySubset : { "all rows": all.histogram.counts }} />
        </Box>
      </Group>
    );
  }
  if (all?.counts) {
    const classes = Object.keys(all.counts).slice(0, 8);
    return <StatsTable scopes={scopes} feature={name} columns={["Rows", ...classes]} cells={(s) => [formatCount(s.count), ...classes.map((c) => formatCount(s.counts?.[c] ?? 0))]} />;
  }
  if (all?.composition) {
    const letters = Object.keys(all.composition).filter((l) => l !== "other");
    return (
      <StatsTable
        scopes={scopes}
        feature={name}
        columns={["Rows", "Mean length", ...letters]}
        cells={(s) => [formatCount(s.count), formatNumber(s.length?.mean), ...letters.map((l) => (s.composition ? `${((s.composition[l] ?? 0) * 100).toFixed(1)} %` : "—"))]}
      />
    );
  }
  if (all?.distinct !== undefined) {
    return <StatsTable scopes={scopes} feature={name} columns={["Rows", "Distinct"]} cells={(s) => [formatCount(s.count), formatCount(s.distinct)]} />;
  }
  return <StatsTable scopes={scopes} feature={name} columns={["Rows", "Mean", "Min", "Max"]} cells={(s) => [formatCount(s.count), formatNumber(s.mean), formatNumber(s.min), formatNumber(s.max)]} />;
}

function StatsTable({ scopes, feature, columns, cells }: { scopes: Scope[]; feature: string; columns: string[]; cells: (s: FeatureStats) => string[] }) {
  return (
    <Table fz="xs" verticalSpacing={3} horizontalSpacing="xs" withRowBorders={false} striped w="auto" style={{ whiteSpace: "nowrap" }}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Subset</Table.Th>
          {columns.map((c) => (
            <Table.Th key={c} ta="right">
              {c}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {scopes.map(([scope, get]) => {
          const s = get(feature);
          return (
            <Table.Tr key={scope}>
              <Table.Td>
                <Text size="xs" fw={scope === "all rows" ? 400 : 600} c={scope === "all rows" ? "dimmed" : undefined}>
                  {scope}
                </Text>
              </Table.Td>
              {(s ? cells(s) : columns.map(() => "—")).map((value, i) => (
                <Table.Td key={i} ta="right" style={{ fontVariantNumeric: "tabular-nums" }}>
                  {value}
                </Table.Td>
              ))}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

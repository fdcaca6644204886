/** The Inspector for a subset: its definition, its rows and a few numbers per feature. */
import { Code, Group, Stack, Text } from "@mantine/core";

import type { FeatureStats, SubsetSpec } from "../../api/types";
import { formatCount, formatNumber, formatPercent } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { describeSubset } from "./subsetText";

export function SubsetInspector({ subset, rows, rowCount, stats }: { subset: SubsetSpec; rows: number | null; rowCount: number; stats?: Record<string, FeatureStats> }) {
  return (
    <Inspector title={subset.name}>
      <Stack gap={4}>
        <Text size="xs" c="dimmed">
          Definition
        </Text>
        <Code block>{describeSubset(subset)}</Code>
      </Stack>
      <Group justify="space-between">
        <Text size="sm">Rows</Text>
        <Text size="sm" fw={600}>
          {formatCount(rows)} <Text span c="dimmed" size="xs">({rows === null ? "—" : formatPercent(rows, rowCount)} of {formatCount(rowCount)})</Text>
        </Text>
      </Group>
      {stats && (
        <Stack gap={6}>
          <Text size="xs" c="dimmed">
            In this subset
          </Text>
          {Object.entries(stats).map(([feature, s]) => (
            <Group key={feature} justify="space-between" wrap="nowrap">
              <Text size="xs" fw={500} truncate>
                {feature}
              </Text>
              <Text size="xs" c="dimmed" ta="right">
                {summary(s)}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Inspector>
  );
}

function summary(s: FeatureStats): string {
  if (s.mean !== undefined && s.histogram) return `mean ${formatNumber(s.mean)} ± ${formatNumber(s.sd)}`;
  if (s.counts) return Object.entries(s.counts).slice(0, 4).map(([k, v]) => `${k} ${formatCount(v)}`).join(", ");
  if (s.length) return `length ${formatNumber(s.length.mean)}`;
  if (s.distinct !== undefined) return `${formatCount(s.distinct)} distinct`;
  return `${formatCount(s.count)} rows`;
}

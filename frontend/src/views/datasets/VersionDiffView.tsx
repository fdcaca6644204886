/** What changed between two versions: rows, features (added, removed, changed fields), subsets. */
import { Badge, Group, Loader, Stack, Table, Text } from "@mantine/core";

import { formatCount } from "../../format";
import { useVersionDiff } from "./queries";

export function VersionDiffView({ projectId, datasetId, versionId, against, againstName }: { projectId: string; datasetId: string; versionId: string; against: string; againstName: string }) {
  const diff = useVersionDiff(projectId, datasetId, versionId, against);
  if (diff.isLoading) return <Loader size="sm" />;
  if (!diff.data) return null;
  const d = diff.data;
  const changes: { what: string; change: string; detail: string }[] = [];
  if (d.rows[0] !== d.rows[1]) changes.push({ what: "rows", change: "changed", detail: `${formatCount(d.rows[0])} → ${formatCount(d.rows[1])}` });
  for (const [group, label] of [
    [d.features, "feature"],
    [d.subsets, "subset"],
  ] as const) {
    for (const name of group.added) changes.push({ what: `${label} ${name}`, change: "added", detail: "" });
    for (const name of group.removed) changes.push({ what: `${label} ${name}`, change: "removed", detail: "" });
    for (const [name, fields] of Object.entries(group.changed)) {
      const detail = Object.entries(fields)
        .map(([field, [before, after]]) => `${field}: ${short(before)} → ${short(after)}`)
        .join("; ");
      changes.push({ what: `${label} ${name}`, change: "changed", detail });
    }
  }
  for (const [name, [before, after]] of Object.entries(d.subset_counts)) {
    if (!d.subsets.added.includes(name) && !d.subsets.removed.includes(name)) {
      changes.push({ what: `subset ${name}`, change: "rows", detail: `${formatCount(before)} → ${formatCount(after)}` });
    }
  }
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        Changes from {againstName}
      </Text>
      {changes.length === 0 ? (
        <Text size="sm">Nothing changed.</Text>
      ) : (
        <Table fz="xs" verticalSpacing={2} withRowBorders={false}>
          <Table.Tbody>
            {changes.map((c, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Badge size="xs" variant="light" color={c.change === "added" ? "teal" : c.change === "removed" ? "red" : "blue"}>
                      {c.change}
                    </Badge>
                    <Text size="xs" fw={500}>
                      {c.what}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {c.detail}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function short(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

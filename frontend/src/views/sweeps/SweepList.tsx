/** The project's sweeps, newest first, more as it scrolls: status, trial counts and best value; click one to open its page. */
import { Badge, Stack, Table, Text } from "@mantine/core";
import { useNavigate } from "react-router";

import { useLoadMore } from "../../api/paging";
import { formatMetric, formatWhen } from "../../format";
import { useSweeps } from "./queries";

export function SweepList({ projectId, base }: { projectId: string; base: string }) {
  const found = useSweeps(projectId);
  const more = useLoadMore(found);
  const navigate = useNavigate();
  const sweeps = found.items;
  if (found.isSuccess && sweeps.length === 0) {
    return (
      <Stack p="xl" align="center">
        <Text c="dimmed">
          No sweeps yet. Open an experiment in Modeling and choose "Search" to search around it.
        </Text>
      </Stack>
    );
  }
  return (
    <Stack p="md">
      <Table aria-label="Sweeps" highlightOnHover withTableBorder verticalSpacing={8}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Sweep</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Trials</Table.Th>
            <Table.Th ta="right">Best</Table.Th>
            <Table.Th>Started</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sweeps.map((s) => (
            <Table.Tr key={s.id} data-sweep={s.name} onClick={() => navigate(`${base}/${s.id}`)} style={{ cursor: "pointer" }}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {s.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge variant="light">{s.status}</Badge>
              </Table.Td>
              <Table.Td ta="right">
                {s.counts.complete + s.counts.pruned + s.counts.failed} / {s.counts.budget}
              </Table.Td>
              <Table.Td ta="right">
                {s.objective.metric} {formatMetric(s.best_value)}
              </Table.Td>
              <Table.Td>{formatWhen(s.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <div ref={more} aria-hidden style={{ height: 1 }} />
    </Stack>
  );
}

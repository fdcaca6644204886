/** The project's deployments: name, source checkpoint, on/off switch, requests today, age. Click a row to open it. */
import { Badge, Switch, Table, Text } from "@mantine/core";

import { formatCount, formatWhen } from "../../format";
import { notifyError } from "../../shell/notify";
import { useUpdateDeployment } from "./queries";
import type { Deployment } from "./types";

interface Props {
  projectId: string;
  deployments: Deployment[];
  experimentNames: Record<string, string>;
  requestsToday: Record<string, number>;
  selectedId: string | null;
  canEdit: boolean;
  onSelect: (id: string) => void;
}

export function DeploymentTable({ projectId, deployments, experimentNames, requestsToday, selectedId, canEdit, onSelect }: Props) {
  const update = useUpdateDeployment(projectId);
  return (
    <Table highlightOnHover verticalSpacing={8} aria-label="Deployments" withTableBorder>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Deployment</Table.Th>
          <Table.Th>Experiment</Table.Th>
          <Table.Th>Checkpoint</Table.Th>
          <Table.Th>Enabled</Table.Th>
          <Table.Th ta="right">Requests, 24 h</Table.Th>
          <Table.Th>Created</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {deployments.map((d) => {
          const selected = d.id === selectedId;
          return (
            <Table.Tr
              key={d.id}
              data-deployment={d.name}
              aria-selected={selected}
              onClick={() => onSelect(d.id)}
              style={{ cursor: "pointer" }}
              bg={selected ? "var(--mantine-color-teal-light)" : undefined}
            >
              <Table.Td>
                <Text size="sm" fw={600}>
                  {d.name}
                </Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {d.id}
                </Text>
              </Table.Td>
              <Table.Td>
                {d.experiment_id ? (
                  <Text size="sm">{experimentNames[d.experiment_id] ?? d.experiment_id}</Text>
                ) : (
                  <Text size="sm" c="dimmed" fs="italic">
                    deleted
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color="gray" tt="none">
                  {d.checkpoint === `epoch-${d.epoch}` ? `epoch ${d.epoch}` : `${d.checkpoint} · epoch ${d.epoch}`}
                </Badge>
              </Table.Td>
              <Table.Td onClick={(event) => event.stopPropagation()}>
                <Switch
                  checked={d.enabled}
                  disabled={!canEdit || (update.isPending && update.variables?.id === d.id)}
                  onChange={(event) =>
                    update.mutate(
                      { id: d.id, enabled: event.currentTarget.checked },
                      { onError: (error) => notifyError(error, "Not changed") },
                    )
                  }
                  aria-label={`Enable ${d.name}`}
                  label={d.enabled ? "on" : "off"}
                  size="sm"
                />
              </Table.Td>
              <Table.Td ta="right" ff="monospace" data-testid="requests-today">
                {formatCount(requestsToday[d.id])}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatWhen(d.created_at)}</Text>
                <Text size="xs" c="dimmed">
                  by {d.created_by}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

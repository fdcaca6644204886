/** The project's experiments as a table: status, epochs, best metric, last change. */
import { Progress, Table, Text } from "@mantine/core";

import type { ExperimentSummary } from "../../api/types";
import { formatMetric, formatWhen } from "../../format";
import { ExperimentStatus } from "./ExperimentStatus";

export function ExperimentsTable({ experiments }: { experiments: ExperimentSummary[] }) {
  return (
    <Table striped highlightOnHover verticalSpacing="xs" aria-label="Experiments">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Experiment</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Epochs</Table.Th>
          <Table.Th>Best</Table.Th>
          <Table.Th>Changed</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {experiments.map((experiment) => (
          <Table.Tr key={experiment.id}>
            <Table.Td fw={600}>{experiment.name}</Table.Td>
            <Table.Td>
              <ExperimentStatus experiment={experiment} />
            </Table.Td>
            <Table.Td w={160}>
              <Text size="xs">
                {experiment.epochs_done} / {experiment.epochs}
              </Text>
              <Progress value={experiment.progress * 100} size="xs" />
            </Table.Td>
            <Table.Td>
              {experiment.best_metric ? (
                <Text size="sm">
                  {experiment.best_metric.name} {formatMetric(experiment.best_metric.value)}{" "}
                  <Text span c="dimmed" size="xs">
                    epoch {experiment.best_metric.epoch}
                  </Text>
                </Text>
              ) : (
                <Text size="sm" c="dimmed">—</Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm" c="dimmed">
                {formatWhen(experiment.updated_at)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

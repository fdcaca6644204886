/** The sweep's trials: state (pruned at epoch N), sampled values, objective, experiment. */
import { Anchor, Badge, Table, Text } from "@mantine/core";
import { Link } from "react-router";

import type { Sweep, Trial } from "../../api/types";
import { formatMetric, formatNumber } from "../../format";

const STATE_COLOR: Record<Trial["state"], string> = {
  running: "blue",
  complete: "teal",
  pruned: "yellow",
  failed: "red",
};

const shown = (value: unknown): string =>
  value === null || value === undefined
    ? "none"
    : typeof value === "number" && !Number.isInteger(value)
      ? formatNumber(value)
      : String(value);

export function TrialsTable({ sweep, projectId }: { sweep: Sweep; projectId: string }) {
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table aria-label="Trials" verticalSpacing={4} withTableBorder highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Trial</Table.Th>
            <Table.Th miw={150}>State</Table.Th>
            {sweep.dimensions.map((d) => (
              <Table.Th key={d}>{d}</Table.Th>
            ))}
            <Table.Th ta="right">{sweep.objective.metric}</Table.Th>
            <Table.Th ta="right">Epochs</Table.Th>
            <Table.Th>Experiment</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sweep.trials.map((t) => (
            <Table.Tr key={t.number} data-trial={t.number} data-state={t.state}>
              <Table.Td>
                <Text size="sm" fw={t.number === sweep.best_trial ? 700 : 400}>
                  {t.number}
                  {t.number === sweep.best_trial ? " ★" : ""}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={STATE_COLOR[t.state]} title={t.message || undefined} style={{ overflow: "visible" }}>
                  {t.state === "pruned" && t.pruned_epoch !== null ? `pruned at epoch ${t.pruned_epoch}` : t.state}
                </Badge>
              </Table.Td>
              {sweep.dimensions.map((d) => (
                <Table.Td key={d}>{shown(t.params[d])}</Table.Td>
              ))}
              <Table.Td ta="right">{formatMetric(t.value)}</Table.Td>
              <Table.Td ta="right">{t.epochs_done}</Table.Td>
              <Table.Td>
                {t.experiment_id ? (
                  <Anchor component={Link} to={`/projects/${projectId}/evaluation/${t.experiment_id}`} size="sm">
                    {t.experiment_name}
                  </Anchor>
                ) : (
                  "-"
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

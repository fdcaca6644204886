/**
 * The project's reference lines, edited in a dialog: each a name (what it is, e.g. a paper and
 * its test set), a metric the evaluations report and a value. They are drawn on the curves,
 * beside the metrics tables and in comparisons of every experiment in the project.
 */
import { ActionIcon, Alert, Autocomplete, Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput } from "@mantine/core";
import { IconLine, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";

import { errorMessage } from "../../api/client";
import { useProject, useSetReferenceLines } from "../../projects/queries";
import { notifyDone } from "../../shell/notify";
import { bareLabel, METRIC_KEYS, type ReferenceLine } from "./metrics";

interface Draft {
  name: string;
  metric: string;
  value: number | string;
}

/** A button that opens the dialog; read-only (the lines listed) for viewers. */
export function ReferenceLinesButton({ projectId }: { projectId: string }) {
  const [open, setOpen] = useState(false);
  const project = useProject(projectId);
  const count = project.data?.reference_lines.length ?? 0;
  return (
    <>
      <Button variant="default" size="xs" leftSection={<IconLine size={14} />} onClick={() => setOpen(true)}>
        Reference lines{count ? ` (${count})` : ""}
      </Button>
      {open && project.data && (
        <ReferenceLinesModal projectId={projectId} lines={project.data.reference_lines} canEdit={project.data.role !== "viewer"} onClose={() => setOpen(false)} />
      )}
    </>
  );
}

function ReferenceLinesModal({ projectId, lines, canEdit, onClose }: { projectId: string; lines: ReferenceLine[]; canEdit: boolean; onClose: () => void }) {
  const [rows, setRows] = useState<Draft[]>(lines.map((l) => ({ ...l })));
  const save = useSetReferenceLines(projectId);
  const change = (i: number, part: Partial<Draft>) => setRows((all) => all.map((row, k) => (k === i ? { ...row, ...part } : row)));
  const problem = rows
    .map((row, i) => {
      if (!row.name.trim()) return `line ${i + 1}: give it a name`;
      if (!/^[a-z][a-z0-9_]*$/.test(row.metric)) return `line ${i + 1}: pick a metric, e.g. pearson_r2`;
      if (typeof row.value !== "number") return `line ${i + 1}: give its value`;
      return null;
    })
    .find((p) => p !== null);
  const submit = () =>
    save.mutate(
      rows.map((row) => ({ name: row.name.trim(), metric: row.metric, value: Number(row.value) })),
      { onSuccess: () => (notifyDone("Reference lines saved"), onClose()) },
    );

  return (
    <Modal opened onClose={onClose} title="Reference lines" size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          A value to compare with — a paper's result you are replicating, a target — drawn on every experiment's curves of that metric (on any subset), beside its metrics and in comparisons.
        </Text>
        {rows.length === 0 ? (
          <Text size="sm">No reference lines yet.</Text>
        ) : (
          <Table verticalSpacing={4} withRowBorders={false} aria-label="Reference lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={170}>Metric</Table.Th>
                <Table.Th w={110}>Value</Table.Th>
                <Table.Th w={36} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row, i) => (
                <Table.Tr key={i} data-line={i + 1}>
                  <Table.Td>
                    <TextInput size="xs" aria-label={`Name of line ${i + 1}`} value={row.name} readOnly={!canEdit} onChange={(e) => change(i, { name: e.currentTarget.value })} />
                  </Table.Td>
                  <Table.Td>
                    <Autocomplete
                      size="xs"
                      aria-label={`Metric of line ${i + 1}`}
                      value={row.metric}
                      readOnly={!canEdit}
                      data={METRIC_KEYS}
                      title={bareLabel(row.metric)}
                      onChange={(metric) => change(i, { metric: metric.trim() })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput size="xs" aria-label={`Value of line ${i + 1}`} value={row.value} readOnly={!canEdit} decimalScale={6} onChange={(value) => change(i, { value })} />
                  </Table.Td>
                  <Table.Td>
                    {canEdit && (
                      <ActionIcon variant="subtle" color="gray" aria-label={`Remove line ${i + 1}`} onClick={() => setRows((all) => all.filter((_, k) => k !== i))}>
                        <IconTrash size={15} />
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {save.error && (
          <Alert color="red" variant="light" py="xs">
            {errorMessage(save.error)}
          </Alert>
        )}
        {canEdit && (
          <Group justify="space-between">
            <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setRows((all) => [...all, { name: "", metric: "pearson_r2", value: "" }])}>
              Add a line
            </Button>
            <Group gap="xs">
              {problem && (
                <Text size="xs" c="dimmed">
                  {problem}
                </Text>
              )}
              <Button size="xs" onClick={submit} loading={save.isPending} disabled={problem !== undefined}>
                Save
              </Button>
            </Group>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}

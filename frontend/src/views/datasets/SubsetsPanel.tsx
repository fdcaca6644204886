/**
 * The subsets of a draft or version: each with its definition and live row count, the menu to
 * delete it, "New subset", the "Normalize on subset" picker, and the data warnings.
 */
import { ActionIcon, Alert, Badge, Button, Card, Group, List, Menu, Progress, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconAlertTriangle, IconDots, IconPlus, IconTrash } from "@tabler/icons-react";

import { api, call } from "../../api/client";
import type { DataWarning, SubsetSpec } from "../../api/types";
import { formatCount, formatPercent } from "../../format";
import { notifyError } from "../../shell/notify";
import type { Column } from "./columns";
import { NewSubsetModal } from "./NewSubsetModal";
import { useDraftEdit } from "./queries";
import { describeSubset } from "./subsetText";

export interface SubsetRow {
  definition: SubsetSpec;
  rows: number | null;
}

interface Props {
  subsets: SubsetRow[];
  rowCount: number;
  normalizeOn: string | null;
  warnings: DataWarning[];
  selected: string | null;
  onSelect: (name: string) => void;
  /** Present for a draft (editable); a saved version's subsets are read-only. */
  draft?: { projectId: string; draftId: string; columns: Column[] };
}

/** The subset normalization statistics come from when none is chosen (as the server decides). */
export function defaultNormalizeOn(subsets: { definition: SubsetSpec }[]): string {
  return subsets.some((s) => s.definition.name === "training") ? "training" : "all rows";
}

export function SubsetsPanel({ subsets, rowCount, normalizeOn, warnings, selected, onSelect, draft }: Props) {
  const [creating, modal] = useDisclosure(false);
  const names = subsets.map((s) => s.definition.name);
  return (
    <Card withBorder radius="md" p="md">
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Group gap="xs">
          <Title order={5}>Subsets</Title>
          <Badge variant="light" color="gray">
            {subsets.length}
          </Badge>
        </Group>
        <Group gap="sm" wrap="nowrap">
          {draft ? (
            <NormalizeOnPicker projectId={draft.projectId} draftId={draft.draftId} names={names} value={normalizeOn} fallback={defaultNormalizeOn(subsets)} />
          ) : (
            <Text size="sm" c="dimmed">
              Normalized on <b>{normalizeOn ?? defaultNormalizeOn(subsets)}</b>
            </Text>
          )}
          {draft && (
            <Button size="xs" leftSection={<IconPlus size={14} />} onClick={modal.open}>
              New subset
            </Button>
          )}
        </Group>
      </Group>
      <Stack gap="xs">
        {groupWarnings(warnings).map(([title, messages]) => (
          <Alert key={title} color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} p="xs" title={title}>
            <List size="sm" spacing={2}>
              {messages.map((message, i) => (
                <List.Item key={i}>{message}</List.Item>
              ))}
            </List>
          </Alert>
        ))}
        {subsets.length === 0 ? (
          <Text size="sm" c="dimmed" py="sm">
            No subsets. Experiments train on one subset and validate on another: add a training and a validation subset.
          </Text>
        ) : (
          <Table verticalSpacing={6} highlightOnHover aria-label="Subsets">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Rows</Table.Th>
                <Table.Th>Definition</Table.Th>
                {draft && <Table.Th w={40} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {subsets.map((subset) => (
                <SubsetLine
                  key={subset.definition.name}
                  subset={subset}
                  rowCount={rowCount}
                  selected={selected === subset.definition.name}
                  onSelect={() => onSelect(subset.definition.name)}
                  draft={draft}
                />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {draft && (
        <NewSubsetModal projectId={draft.projectId} draftId={draft.draftId} columns={draft.columns} subsets={names} opened={creating} onClose={modal.close} />
      )}
    </Card>
  );
}

/** Warnings of one kind under one title, in the order they came. */
function groupWarnings(warnings: DataWarning[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const warning of warnings) {
    const title = warningTitle(warning);
    groups.set(title, [...(groups.get(title) ?? []), warning.message]);
  }
  return [...groups];
}

function warningTitle(warning: DataWarning): string {
  if (warning.code === "subset_overlap") return "Subsets overlap";
  if (warning.code.includes("leak")) return "Sequence leakage";
  if (warning.code === "rows_dropped") return "Rows dropped";
  return "Warning";
}

function SubsetLine({ subset, rowCount, selected, onSelect, draft }: { subset: SubsetRow; rowCount: number; selected: boolean; onSelect: () => void; draft: Props["draft"] }) {
  const name = subset.definition.name;
  const remove = useDraftEdit(() =>
    call(
      api.DELETE("/api/projects/{project_id}/drafts/{draft_id}/subsets/{subset}", {
        params: { path: { project_id: draft?.projectId ?? "", draft_id: draft?.draftId ?? "", subset: name } },
      }),
    ),
  );
  return (
    <Table.Tr bg={selected ? "var(--mantine-color-teal-light)" : undefined} data-subset={name}>
      <Table.Td>
        <Text
          component="button"
          type="button"
          fw={600}
          size="sm"
          onClick={onSelect}
          style={{ background: "none", border: 0, padding: 0, cursor: "pointer", color: "inherit" }}
          aria-label={`Subset ${name}`}
        >
          {name}
        </Text>
      </Table.Td>
      <Table.Td w={200}>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" w={64} ta="right" style={{ fontVariantNumeric: "tabular-nums" }} data-testid="subset-rows">
            {formatCount(subset.rows)}
          </Text>
          <Progress value={subset.rows ? (100 * subset.rows) / rowCount : 0} w={70} size="sm" />
          <Text size="xs" c="dimmed" w={44}>
            {subset.rows === null ? "" : formatPercent(subset.rows, rowCount)}
          </Text>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c="dimmed" ff="monospace">
          {describeSubset(subset.definition)}
        </Text>
      </Table.Td>
      {draft && (
        <Table.Td>
          <Menu position="bottom-end" withArrow>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={`Options of subset ${name}`} loading={remove.isPending}>
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => remove.mutate(undefined, { onError: (e) => notifyError(e) })}>
                Delete
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function NormalizeOnPicker({ projectId, draftId, names, value, fallback }: { projectId: string; draftId: string; names: string[]; value: string | null; fallback: string }) {
  const set = useDraftEdit((normalize_on: string | null) =>
    call(
      api.PATCH("/api/projects/{project_id}/drafts/{draft_id}/options", {
        params: { path: { project_id: projectId, draft_id: draftId } },
        body: { normalize_on },
      }),
    ),
  );
  const DEFAULT = "\u0000default";
  return (
    <Select
      label="Normalize on subset"
      size="xs"
      styles={{ root: { display: "flex", alignItems: "center", gap: 8 }, label: { whiteSpace: "nowrap", marginBottom: 0 }, wrapper: { width: 170 } }}
      data={[{ value: DEFAULT, label: `Default (${fallback})` }, ...names.map((n) => ({ value: n, label: n }))]}
      value={value ?? DEFAULT}
      allowDeselect={false}
      onChange={(next) => next && set.mutate(next === DEFAULT ? null : next, { onError: (e) => notifyError(e) })}
    />
  );
}

/**
 * A draft dataset being prepared: its columns and every row (click a column to edit it in the
 * Inspector), its subsets and statistics, and Save, which makes an immutable version. An error
 * that names a row links to it; rows a feature cannot read can be dropped or repaired.
 */
import { Accordion, Alert, Button, Group, List, Loader, Stack, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconAlertCircle, IconDeviceFloppy, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";

import { errorMessage } from "../../api/client";
import { notifyDone, notifyError } from "../../shell/notify";
import { columnOfDraft } from "./columns";
import { DatasetHeader, StateBadge } from "./DatasetHeader";
import { DraftInspector } from "./DraftInspector";
import { FeatureInspector } from "./FeatureInspector";
import { needsRepairChoice, RepairChoice } from "./RepairChoice";
import { RowBrowser, type Jump } from "./RowBrowser";
import { useDeleteDraft, useDraft, useDraftStats, useSaveDraft } from "./queries";
import { SubsetInspector } from "./SubsetInspector";
import { defaultNormalizeOn, SubsetsPanel } from "./SubsetsPanel";
import { SubsetStatistics } from "./SubsetStatistics";

type Selection = { kind: "feature" | "subset"; name: string } | null;

export function DraftEditor({ projectId, draftId, base }: { projectId: string; draftId: string; base: string }) {
  const draft = useDraft(projectId, draftId);
  const stats = useDraftStats(projectId, draftId);
  const save = useSaveDraft(projectId);
  const discard = useDeleteDraft(projectId);
  const navigate = useNavigate();
  const [selection, setSelection] = useState<Selection>(null);
  const [jump, setJump] = useState<Jump | null>(null);

  if (draft.isLoading) return <Loader m="xl" />;
  if (!draft.data) {
    return (
      <Alert color="red" m="lg" title="This draft cannot be opened">
        {errorMessage(draft.error)}
      </Alert>
    );
  }
  const view = draft.data;
  const columns = view.features.map(columnOfDraft);
  const selectedColumn = selection?.kind === "feature" ? columns.find((c) => c.name === selection.name) : undefined;
  const selectedSubset = selection?.kind === "subset" ? view.subsets.find((s) => s.definition.name === selection.name) : undefined;
  const normalizeOn = view.spec?.normalize_on ?? null;
  const showRow = (row: number) => setJump({ row });
  const errorRow = typeof view.error?.details.row === "number" ? view.error.details.row : null;
  const named = view.error
    ? view.features.find((f) => f.name === view.error!.details.feature || f.source === view.error!.details.column)
    : undefined;
  const repairs = view.repairs.filter((r) => r.rows > 0);

  const onSave = () =>
    save.mutate(draftId, {
      onSuccess: (version) => {
        notifyDone(`Saved ${view.name} ${version.name}`);
        navigate(`${base}/${version.dataset_id}/${version.id}`);
      },
      onError: (error) => notifyError(error, "The dataset cannot be saved yet"),
    });

  const onDiscard = () =>
    modals.openConfirmModal({
      title: `Discard the draft ${view.name}?`,
      children: <Text size="sm">Its uploaded files and every change made to it are deleted.</Text>,
      labels: { confirm: "Discard", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: () => discard.mutate(draftId, { onSuccess: () => navigate(base) }),
    });

  return (
    <Stack gap="md" p="md">
      <DatasetHeader
        projectId={projectId}
        base={base}
        title={view.name}
        badge={<StateBadge color="yellow">{view.dataset_id ? "unsaved new version" : "unsaved draft"}</StateBadge>}
        actions={
          <>
            <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={onDiscard}>
              Discard
            </Button>
            <Button leftSection={<IconDeviceFloppy size={16} />} onClick={onSave} loading={save.isPending} disabled={view.error !== null}>
              Save version
            </Button>
          </>
        }
      />
      {view.error && (
        <Alert color="red" icon={<IconAlertCircle size={18} />} title="Not ready to save" data-testid="draft-error">
          <Stack gap="xs">
            <Text size="sm">{view.error.message}</Text>
            {errorRow !== null && (
              <Group gap="xs">
                <Button size="compact-sm" variant="light" color="red" onClick={() => showRow(errorRow)}>
                  Show row {errorRow}
                </Button>
              </Group>
            )}
            {named && needsRepairChoice(named) && (
              <RepairChoice projectId={projectId} draftId={draftId} feature={named} draft={view} onShowRow={showRow} />
            )}
          </Stack>
        </Alert>
      )}
      {repairs.length > 0 && (
        <Alert color="teal" title="Repairs when saved" data-testid="repairs">
          <List size="sm">
            {repairs.map((r) => (
              <List.Item key={r.feature}>
                {r.action === "drop"
                  ? `${r.feature}: ${r.rows} row${r.rows === 1 ? "" : "s"} dropped`
                  : `${r.feature}: ${r.letters ?? 0} unknown letter${r.letters === 1 ? "" : "s"} in ${r.rows} row${r.rows === 1 ? "" : "s"} read as N`}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <RowBrowser
        target={{ kind: "draft", projectId, draftId, revision: view.updated_at }}
        columns={columns}
        stats={stats.data?.all}
        statsLoading={stats.isFetching}
        selected={selectedColumn?.name ?? null}
        onSelect={(name) => setSelection({ kind: "feature", name })}
        jump={jump}
        height={370}
      />
      <SubsetsPanel
        subsets={view.subsets}
        rowCount={view.row_count}
        normalizeOn={normalizeOn}
        warnings={view.warnings}
        selected={selectedSubset?.definition.name ?? null}
        onSelect={(name) => setSelection({ kind: "subset", name })}
        draft={{ projectId, draftId, columns }}
      />
      {stats.data && (
        <Accordion variant="separated" radius="md">
          <Accordion.Item value="stats">
            <Accordion.Control>Statistics per subset</Accordion.Control>
            <Accordion.Panel>
              <SubsetStatistics stats={stats.data} columns={columns} />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      )}
      {selectedColumn ? (
        <FeatureInspector
          key={selectedColumn.name}
          projectId={projectId}
          draftId={draftId}
          column={selectedColumn}
          repair={(() => {
            const feature = view.features.find((f) => f.name === selectedColumn.name);
            return feature && needsRepairChoice(feature) ? (
              <RepairChoice projectId={projectId} draftId={draftId} feature={feature} draft={view} onShowRow={showRow} vertical />
            ) : null;
          })()}
          stats={stats.data?.all[selectedColumn.name]}
          normalizeOn={normalizeOn ?? defaultNormalizeOn(view.subsets)}
          onRenamed={(name) => setSelection({ kind: "feature", name })}
          onRemoved={() => setSelection(null)}
        />
      ) : selectedSubset ? (
        <SubsetInspector
          subset={selectedSubset.definition}
          rows={selectedSubset.rows}
          rowCount={view.row_count}
          stats={stats.data?.subsets[selectedSubset.definition.name]}
        />
      ) : (
        <DraftInspector draft={view} />
      )}
    </Stack>
  );
}

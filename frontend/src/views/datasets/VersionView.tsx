/**
 * A saved, immutable dataset version: its columns, subsets and statistics per subset, and the
 * dataset's versions with what changed in each. "New version" starts a draft from it.
 */
import { Alert, Badge, Button, Card, Group, Loader, Stack, Table, Tabs, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconEdit, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";

import { errorMessage } from "../../api/client";
import type { Dataset, SubsetSpec } from "../../api/types";
import { formatCount, formatWhen } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { notifyError } from "../../shell/notify";
import { columnOfSpec, shapeText, TYPE_LOOKS } from "./columns";
import { DatasetHeader } from "./DatasetHeader";
import { useDataset, useDeleteDataset, useEditVersion, useVersion } from "./queries";
import { RowBrowser } from "./RowBrowser";
import { SubsetInspector } from "./SubsetInspector";
import { SubsetsPanel } from "./SubsetsPanel";
import { SubsetStatistics } from "./SubsetStatistics";
import { VersionDiffView } from "./VersionDiffView";

type Selection = { kind: "feature" | "subset"; name: string } | null;

export function VersionView({ projectId, datasetId, versionId, base }: { projectId: string; datasetId: string; versionId: string; base: string }) {
  const version = useVersion(projectId, datasetId, versionId);
  const datasets = useDataset(projectId, datasetId);
  const edit = useEditVersion(projectId);
  const remove = useDeleteDataset(projectId);
  const navigate = useNavigate();
  const [selection, setSelection] = useState<Selection>(null);
  const [tab, setTab] = useState<string | null>("features");
  const dataset = datasets.data;

  if (version.isLoading) return <Loader m="xl" />;
  if (!version.data) {
    return (
      <Alert color="red" m="lg" title="This version cannot be opened">
        {errorMessage(version.error)}
      </Alert>
    );
  }
  const v = version.data;
  const spec = v.spec;
  const stats = v.stats;
  const columns = spec.features.map(columnOfSpec);
  const subsets = spec.subsets.map((definition: SubsetSpec) => ({ definition, rows: v.subset_counts[definition.name] ?? null }));
  const selectedColumn = selection?.kind === "feature" ? columns.find((c) => c.name === selection.name) : undefined;
  const selectedSubset = selection?.kind === "subset" ? subsets.find((s) => s.definition.name === selection.name) : undefined;

  const newVersion = () =>
    edit.mutate(
      { datasetId, versionId },
      { onSuccess: (draft) => navigate(`${base}/draft/${draft.id}`), onError: (e) => notifyError(e) },
    );
  const deleteDataset = () =>
    modals.openConfirmModal({
      title: `Delete the dataset ${dataset?.name ?? ""}?`,
      children: <Text size="sm">Every version of it is deleted. Experiments that use it must be deleted first.</Text>,
      labels: { confirm: "Delete", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: () => remove.mutate(datasetId, { onSuccess: () => navigate(base), onError: (e) => notifyError(e) }),
    });

  return (
    <Stack gap="md" p="md">
      <DatasetHeader
        projectId={projectId}
        base={base}
        title={`${dataset?.name ?? "Dataset"} · ${v.name}`}
        badge={
          <Text size="sm" c="dimmed" data-testid="version-name" data-version={v.name}>
            saved {formatWhen(v.created_at)}
          </Text>
        }
        actions={
          <>
            <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={deleteDataset}>
              Delete
            </Button>
            <Button variant="default" leftSection={<IconEdit size={16} />} onClick={newVersion} loading={edit.isPending}>
              New version
            </Button>
          </>
        }
      />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="features">Features &amp; subsets</Tabs.Tab>
          <Tabs.Tab value="statistics">Statistics per subset</Tabs.Tab>
          <Tabs.Tab value="versions">Versions ({dataset?.versions.length ?? 1})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="features" pt="md">
          <Stack gap="md">
            <RowBrowser
              target={{ kind: "version", projectId, datasetId, versionId }}
              columns={columns}
              stats={stats.all}
              selected={selectedColumn?.name ?? null}
              onSelect={(name) => setSelection({ kind: "feature", name })}
              jump={null}
              height={370}
            />
            <SubsetsPanel
              subsets={subsets}
              rowCount={v.row_count}
              normalizeOn={spec.normalize_on ?? null}
              warnings={stats.warnings ?? []}
              selected={selectedSubset?.definition.name ?? null}
              onSelect={(name) => setSelection({ kind: "subset", name })}
            />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="statistics" pt="md">
          <SubsetStatistics stats={stats} columns={columns} />
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="md">
          {dataset && <VersionsList projectId={projectId} dataset={dataset} current={versionId} base={base} />}
        </Tabs.Panel>
      </Tabs>
      {selectedColumn ? (
        <Inspector title={selectedColumn.name}>
          <Text size="sm" c="dimmed">
            Saved versions do not change. Start a new version to edit this feature.
          </Text>
          <Fact label="Type" value={TYPE_LOOKS[selectedColumn.type].label} />
          <Fact label="Imported column" value={selectedColumn.source} />
          {selectedColumn.sequence && (
            <Fact
              label="Encoding"
              value={`${selectedColumn.sequence.alphabet ?? "dna"}, ${selectedColumn.sequence.alignment ?? "left"}-aligned, length ${selectedColumn.sequence.length ?? "longest"}, padding ${selectedColumn.sequence.padding ?? 0}`}
            />
          )}
          {selectedColumn.shape.length > 0 && <Fact label="Shape" value={shapeText(selectedColumn.shape) ?? ""} />}
          <Fact label="Normalization" value={selectedColumn.normalization} />
          {selectedColumn.stats && <Fact label="Mean / sd" value={`${selectedColumn.stats.mean.toPrecision(4)} / ${selectedColumn.stats.std.toPrecision(4)}`} />}
          {selectedColumn.categories && <Fact label="Classes" value={selectedColumn.categories.join(", ")} />}
        </Inspector>
      ) : selectedSubset ? (
        <SubsetInspector subset={selectedSubset.definition} rows={selectedSubset.rows} rowCount={v.row_count} stats={stats.subsets[selectedSubset.definition.name]} />
      ) : (
        <Inspector title={`${dataset?.name ?? ""} ${v.name}`}>
          <Fact label="Digest" value={`${v.digest.slice(0, 16)}…`} />
          <Fact label="Rows" value={formatCount(v.row_count)} />
          {(stats.repairs ?? [])
            .filter((r) => r.rows > 0)
            .map((r) => (
              <Fact
                key={r.feature}
                label={`Repaired ${r.feature}`}
                value={
                  r.action === "drop"
                    ? `${formatCount(r.rows)} unreadable row${r.rows === 1 ? "" : "s"} dropped`
                    : `${formatCount(r.letters ?? 0)} unknown letter${r.letters === 1 ? "" : "s"} in ${formatCount(r.rows)} row${r.rows === 1 ? "" : "s"} read as N`
                }
              />
            ))}
          {v.sources.map((source, i) => (
            <Fact key={i} label={i === 0 ? "Files" : ""} value={`${String(source.file)} (${String(source.format)})`} />
          ))}
          <Text size="xs" c="dimmed">
            Experiments refer to this version by its id, so their data never change under them.
          </Text>
        </Inspector>
      )}
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Group justify="space-between" wrap="nowrap" align="flex-start" gap="md">
      <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
        {label}
      </Text>
      <Text size="xs" ta="right" style={{ wordBreak: "break-word" }}>
        {value}
      </Text>
    </Group>
  );
}

function VersionsList({ projectId, dataset, current, base }: { projectId: string; dataset: Dataset; current: string; base: string }) {
  const navigate = useNavigate();
  const versions = [...dataset.versions].reverse(); // newest first
  return (
    <Stack gap="sm">
      {versions.map((version) => {
        const index = dataset.versions.findIndex((v) => v.id === version.id);
        const previous = index > 0 ? dataset.versions[index - 1] : undefined;
        return (
          <Card key={version.id} withBorder radius="md" p="sm" bg={version.id === current ? "var(--mantine-color-teal-light)" : undefined}>
            <Group justify="space-between" mb={previous ? "xs" : 0}>
              <Group gap="sm">
                <Badge variant="light">{version.name}</Badge>
                <Text size="sm">
                  {formatCount(version.row_count)} rows · {Object.entries(version.subset_counts).map(([s, n]) => `${s} ${formatCount(n)}`).join(", ")}
                </Text>
              </Group>
              <Group gap="sm">
                <Text size="xs" c="dimmed">
                  {formatWhen(version.created_at)}
                </Text>
                {version.id !== current && (
                  <Button size="compact-xs" variant="default" onClick={() => navigate(`${base}/${dataset.id}/${version.id}`)}>
                    Open
                  </Button>
                )}
              </Group>
            </Group>
            {previous && <VersionDiffView projectId={projectId} datasetId={dataset.id} versionId={version.id} against={previous.id} againstName={previous.name} />}
          </Card>
        );
      })}
      {versions.length === 1 && (
        <Table>
          <Table.Tbody>
            <Table.Tr>
              <Table.Td c="dimmed" fz="sm">
                The first version; “New version” starts a draft from it, and saving that draft adds the next one here with its changes.
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/**
 * The Datasets view: a draft being prepared (`draft/:draftId`), a saved version
 * (`:datasetId/:versionId`), or where to start; the title row's menu switches between them.
 */
import { Box, Button, Card, Group, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconDatabasePlus } from "@tabler/icons-react";
import { Link, Navigate, Route, Routes, useNavigate, useParams } from "react-router";

import type { ViewProps } from "../registry";
import { DataApiButton } from "./DataApiModal";
import { DraftEditor } from "./DraftEditor";
import { NewDatasetContext } from "./newDataset";
import { NewDatasetModal } from "./NewDatasetModal";
import { useDataset, useDrafts, useLatestDataset } from "./queries";
import { VersionView } from "./VersionView";

export function DatasetsView({ project }: ViewProps) {
  const base = `/projects/${project.id}/datasets`;
  const navigate = useNavigate();
  const [creating, modal] = useDisclosure(false);
  return (
    <NewDatasetContext.Provider value={modal.open}>
      <Box style={{ flex: 1, minWidth: 0, minHeight: 0, overflow: "auto" }}>
        <Routes>
          <Route index element={<Start projectId={project.id} base={base} onNew={modal.open} />} />
          <Route path="draft/:draftId" element={<DraftRoute projectId={project.id} base={base} />} />
          <Route path=":datasetId/:versionId" element={<VersionRoute projectId={project.id} base={base} />} />
          <Route path=":datasetId" element={<LatestVersion projectId={project.id} base={base} />} />
        </Routes>
      </Box>
      <NewDatasetModal
        projectId={project.id}
        opened={creating}
        onClose={modal.close}
        onDone={(draft) => {
          modal.close();
          navigate(`${base}/draft/${draft.id}`);
        }}
      />
    </NewDatasetContext.Provider>
  );
}

function DraftRoute({ projectId, base }: { projectId: string; base: string }) {
  const { draftId = "" } = useParams();
  return <DraftEditor key={draftId} projectId={projectId} draftId={draftId} base={base} />;
}

function VersionRoute({ projectId, base }: { projectId: string; base: string }) {
  const { datasetId = "", versionId = "" } = useParams();
  return <VersionView key={versionId} projectId={projectId} datasetId={datasetId} versionId={versionId} base={base} />;
}

function LatestVersion({ projectId, base }: { projectId: string; base: string }) {
  const { datasetId = "" } = useParams();
  const found = useDataset(projectId, datasetId);
  const dataset = found.data;
  const latest = dataset?.versions[dataset.versions.length - 1];
  if (found.isLoading) return null;
  return <Navigate to={latest ? `${base}/${dataset.id}/${latest.id}` : base} replace />;
}

/** Where to start: open the newest dataset, else invite to make the first one. */
function Start({ projectId, base, onNew }: { projectId: string; base: string; onNew: () => void }) {
  const { latest: dataset, isLoading } = useLatestDataset(projectId);
  const drafts = useDrafts(projectId);
  if (isLoading || drafts.isLoading) return null;
  const latest = dataset?.versions[dataset.versions.length - 1];
  // Drafts are not opened unasked: the one "New dataset" is making would open behind its dialog.
  if (dataset && latest) return <Navigate to={`${base}/${dataset.id}/${latest.id}`} replace />;
  return (
    <Stack align="center" justify="center" h="100%" p="xl">
      <Card withBorder radius="md" p="xl" maw={520}>
        <Stack align="center" gap="sm">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconDatabasePlus size={30} />
          </ThemeIcon>
          <Title order={4}>Bring in your data</Title>
          <Text size="sm" c="dimmed" ta="center">
            Upload tables of sequences and measurements (CSV, TSV, Parquet, FASTA) and arrays (NPY, NPZ), or a ZIP of them. Kozak
            detects each column's type; then you label features, choose encodings, define subsets and save a version.
          </Text>
          <Group gap="xs">
            <Button leftSection={<IconDatabasePlus size={16} />} onClick={onNew}>
              New dataset
            </Button>
            <DataApiButton projectId={projectId} />
          </Group>
          {drafts.data?.data.map((draft) => (
            <Button key={draft.id} variant="subtle" size="xs" component={Link} to={`${base}/draft/${draft.id}`}>
              Continue the draft “{draft.name}”
            </Button>
          ))}
        </Stack>
      </Card>
    </Stack>
  );
}

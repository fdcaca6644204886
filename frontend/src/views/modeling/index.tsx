/**
 * The Modeling view: one experiment's canvas (`:experimentId`), or where to start (the most
 * recently changed experiment, else an invitation to make the first); the New-experiment
 * wizard opens from either.
 */
import { Box, Button, Card, Loader, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconTopologyStar3 } from "@tabler/icons-react";
import { lazy, Suspense } from "react";
import { Link, Navigate, Route, Routes, useNavigate, useParams } from "react-router";

import type { Project } from "../../api/types";
import { useExperimentSearch } from "../../projects/queries";
import { useLatestDataset } from "../datasets/queries";
import type { ViewProps } from "../registry";
import { NewExperimentModal } from "./NewExperimentModal";

// the canvas (React Flow, dagre, YAML) loads only when an experiment is opened
const ExperimentEditor = lazy(() => import("./Editor").then((m) => ({ default: m.ExperimentEditor })));

export function ModelingView({ project }: ViewProps) {
  const base = `/projects/${project.id}/modeling`;
  const navigate = useNavigate();
  const [creating, wizard] = useDisclosure(false);
  return (
    <Box style={{ flex: 1, minWidth: 0, minHeight: 0, display: "flex" }}>
      <Routes>
        <Route index element={<Start project={project} base={base} onNew={wizard.open} />} />
        <Route path=":experimentId" element={<EditorRoute project={project} onNew={wizard.open} />} />
      </Routes>
      <NewExperimentModal
        projectId={project.id}
        opened={creating}
        onClose={wizard.close}
        onCreated={(experiment) => navigate(`${base}/${experiment.id}`)}
      />
    </Box>
  );
}

function EditorRoute({ project, onNew }: { project: Project; onNew: () => void }) {
  const { experimentId = "" } = useParams();
  return (
    <Suspense fallback={<Loader m="xl" />}>
      <ExperimentEditor key={experimentId} project={project} experimentId={experimentId} onNew={onNew} />
    </Suspense>
  );
}

function Start({ project, base, onNew }: { project: Project; base: string; onNew: () => void }) {
  const latest = useExperimentSearch(project.id, { sort: "-updated", limit: 1 });
  const newestData = useLatestDataset(project.id);
  if (latest.isLoading || newestData.isLoading) return null;
  const first = latest.data?.data[0];
  if (first) return <Navigate to={`${base}/${first.id}`} replace />;
  const hasData = newestData.latest !== null; // a dataset is made with its first version
  return (
    <Stack align="center" justify="center" style={{ flex: 1 }} p="xl">
      <Card withBorder radius="md" p="xl" maw={520}>
        <Stack align="center" gap="sm">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconTopologyStar3 size={30} />
          </ThemeIcon>
          <Title order={4}>Build a model</Title>
          <Text size="sm" c="dimmed" ta="center">
            An experiment is a model trained on a dataset version. Start from a blank canvas and add blocks one after another, or from a
            snippet such as the Cuperus et al. 2017 yeast model; each block shows the shape of its output as you build.
          </Text>
          {hasData ? (
            <Button leftSection={<IconTopologyStar3 size={16} />} onClick={onNew}>
              New experiment
            </Button>
          ) : (
            <>
              <Text size="sm" ta="center">
                First save a version of a dataset.
              </Text>
              <Button variant="light" component={Link} to={`/projects/${project.id}/datasets`}>
                Go to Datasets
              </Button>
            </>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

/**
 * The Deployment view: the project's deployments (`deployment/:deploymentId` opens one), a new
 * one from a completed experiment's checkpoint, and the opened one's endpoint, test form,
 * snippets and usage. A token the server just made is kept in this view's state only, so it
 * is shown once.
 */
import { Badge, Box, Button, Card, Group, Loader, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlus, IconRocket } from "@tabler/icons-react";
import { useState } from "react";
import { Navigate, Route, Routes, useNavigate, useParams } from "react-router";

import { useLoadMore } from "../../api/paging";
import type { Project } from "../../api/types";
import { useExperimentNames } from "../../projects/queries";
import type { ViewProps } from "../registry";
import { DeploymentDetail } from "./DeploymentDetail";
import { DeploymentInspector } from "./DeploymentInspector";
import { DeploymentTable } from "./DeploymentTable";
import { NewDeploymentModal } from "./NewDeploymentModal";
import { useDeployment, useDeployments, useLatestDeployment, useRequestsToday } from "./queries";
import type { DeploymentWithToken } from "./types";

export function DeploymentView({ project }: ViewProps) {
  return (
    <Box style={{ flex: 1, minWidth: 0, minHeight: 0, overflow: "auto" }}>
      <Routes>
        <Route path=":deploymentId?" element={<DeploymentPage project={project} />} />
      </Routes>
    </Box>
  );
}

interface Revealed {
  id: string;
  token: string;
}

function DeploymentPage({ project }: { project: Project }) {
  const { deploymentId } = useParams();
  const base = `/projects/${project.id}/deployment`;
  const navigate = useNavigate();
  const deployments = useDeployments(project.id);
  const more = useLoadMore(deployments);
  const latest = useLatestDeployment(project.id);
  const opened = useDeployment(project.id, deploymentId);
  const list = deployments.items;
  // The opened one's experiment too: it need not be on a loaded page.
  const names = useExperimentNames(project.id, [...list, ...(opened.data ? [opened.data] : [])].map((d) => d.experiment_id ?? ""));
  const requestsToday = useRequestsToday(project.id, list);
  const [creating, modal] = useDisclosure(false);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const canEdit = project.role !== "viewer";

  const selected = opened.data ?? list.find((d) => d.id === deploymentId || d.name === deploymentId) ?? null;
  if (deployments.isLoading || latest.isLoading || (deploymentId && !selected && opened.isLoading)) return <Loader m="xl" />;
  // Not while the creation dialog is open: unmounting it would drop its success callback.
  if (!deploymentId && latest.data && !creating) return <Navigate to={`${base}/${latest.data.id}`} replace />;
  if (deploymentId && !selected) return <Navigate to={base} replace />;

  const experimentNames = Object.fromEntries(names);
  const reveal = (deployment: DeploymentWithToken) => setRevealed({ id: deployment.id, token: deployment.token });
  return (
    <Stack p="lg" gap="md">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm">
          <Text fw={650} size="xl">
            Deployments
          </Text>
          <Badge variant="light" color="gray">
            {deployments.total}
          </Badge>
        </Group>
        {canEdit && (
          <Button leftSection={<IconPlus size={16} />} onClick={modal.open}>
            New deployment
          </Button>
        )}
      </Group>
      {deployments.total === 0 ? (
        <EmptyState canEdit={canEdit} onNew={modal.open} />
      ) : (
        <DeploymentTable
          projectId={project.id}
          deployments={list}
          experimentNames={experimentNames}
          requestsToday={requestsToday}
          selectedId={selected?.id ?? null}
          canEdit={canEdit}
          onSelect={(id) => navigate(`${base}/${id}`)}
        />
      )}
      <div ref={more} aria-hidden style={{ height: 1 }} />
      {selected && (
        <>
          <DeploymentDetail
            key={selected.id}
            projectId={project.id}
            deployment={selected}
            token={revealed?.id === selected.id ? revealed.token : null}
            canEdit={canEdit}
            onToken={reveal}
            onForgetToken={() => setRevealed(null)}
            onDeleted={() => {
              setRevealed(null);
              navigate(base, { replace: true });
            }}
          />
          <DeploymentInspector
            projectId={project.id}
            deployment={selected}
            experimentName={selected.experiment_id ? (experimentNames[selected.experiment_id] ?? null) : null}
            canEdit={canEdit}
          />
        </>
      )}
      <NewDeploymentModal
        projectId={project.id}
        opened={creating}
        onClose={modal.close}
        onCreated={(deployment) => {
          modal.close();
          reveal(deployment);
          navigate(`${base}/${deployment.id}`);
        }}
      />
    </Stack>
  );
}

function EmptyState({ canEdit, onNew }: { canEdit: boolean; onNew: () => void }) {
  return (
    <Stack align="center" py="xl">
      <Card withBorder radius="md" p="xl" maw={560}>
        <Stack align="center" gap="sm">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconRocket size={30} />
          </ThemeIcon>
          <Title order={4}>Put a model to work</Title>
          <Text size="sm" c="dimmed" ta="center">
            A deployment serves one checkpoint of a completed experiment at its own URL with its own token. Send it sequences as plain
            text and get predictions back, from cURL, Python or any HTTP client; switch it off and on at will.
          </Text>
          {canEdit && (
            <Button leftSection={<IconRocket size={16} />} onClick={onNew}>
              Deploy an experiment
            </Button>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

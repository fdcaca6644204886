/** A project: its name and members over the four views as tabs, with the Inspector on the right. */
import { Alert, Badge, Box, Button, Group, Loader, Tabs, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconUsers } from "@tabler/icons-react";
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from "react-router";

import { errorMessage } from "../api/client";
import type { Project } from "../api/types";
import { MembersModal } from "../projects/MembersModal";
import { useProject } from "../projects/queries";
import { InspectorPanel } from "../shell/Inspector";
import { PROJECT_VIEWS, useViewComponent } from "./registry";

export function ProjectPage() {
  const { projectId = "" } = useParams();
  const project = useProject(projectId);
  const location = useLocation();
  const navigate = useNavigate();
  const [membersOpen, members] = useDisclosure(false);
  const base = `/projects/${projectId}`;
  const current = location.pathname.slice(base.length + 1).split("/")[0] || PROJECT_VIEWS[0]!.path;
  // The view's code loads while the project does.
  const view = useViewComponent(PROJECT_VIEWS.find((v) => v.path === current));

  if (project.isLoading) return <Loader m="xl" />;
  if (!project.data) {
    return (
      <Alert color="red" m="xl" title="This project cannot be opened">
        {errorMessage(project.error)}
      </Alert>
    );
  }
  return (
    <>
      <Box px="lg" pt="sm" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
        <Group justify="space-between" wrap="nowrap" mb={4}>
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Title order={3} lineClamp={1}>
              {project.data.name}
            </Title>
            <Badge variant="light" color="gray">
              {project.data.role}
            </Badge>
            {project.data.description && (
              <Text size="sm" c="dimmed" truncate>
                {project.data.description}
              </Text>
            )}
          </Group>
          <Button variant="default" size="xs" leftSection={<IconUsers size={16} />} onClick={members.open}>
            Members
          </Button>
        </Group>
        <Tabs value={current} onChange={(value) => value && navigate(`${base}/${value}`)} variant="default">
          <Tabs.List style={{ borderBottom: 0 }}>
            {PROJECT_VIEWS.map(({ path, label, icon: ViewIcon }) => (
              <Tabs.Tab key={path} value={path} leftSection={<ViewIcon size={16} />}>
                {label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
      </Box>
      <Box style={{ flex: 1, minHeight: 0, display: "flex" }}>
        <InspectorPanel>
          <Box component="section" aria-label={current} style={{ flex: 1, minWidth: 0, minHeight: 0, display: "flex", flexDirection: "column" }}>
            <Routes>
              {PROJECT_VIEWS.map(({ path }) => (
                <Route key={path} path={`${path}/*`} element={<ViewBody loaded={view} project={project.data} />} />
              ))}
              <Route path="*" element={<Navigate to={PROJECT_VIEWS[0]!.path} replace />} />
            </Routes>
          </Box>
        </InspectorPanel>
      </Box>
      <MembersModal project={project.data} opened={membersOpen} onClose={members.close} />
    </>
  );
}

function ViewBody({ loaded, project }: { loaded: ReturnType<typeof useViewComponent>; project: Project }) {
  if (loaded.Component) return <loaded.Component project={project} />;
  if (loaded.error) {
    return (
      <Alert color="red" m="xl" title="This view could not be loaded">
        {errorMessage(loaded.error)} Reload the page: Kozak may have been upgraded since it was opened.
      </Alert>
    );
  }
  return <Loader m="xl" />;
}

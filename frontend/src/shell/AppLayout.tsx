/** The application frame: a header (home, where you are, running jobs, theme, account) over the page. */
import { Anchor, AppShell, Breadcrumbs, Group, Text } from "@mantine/core";
import { Link, Outlet, useMatch } from "react-router";

import type { User } from "../api/types";
import { useProject } from "../projects/queries";
import { Logo } from "./Logo";
import { RunningJobs } from "./RunningJobs";
import { ThemeToggle } from "./ThemeToggle";
import { UserMenu } from "./UserMenu";

export function AppLayout({ user }: { user: User }) {
  const inProject = useMatch("/projects/:projectId/*");
  const projectId = inProject?.params.projectId;
  return (
    <AppShell header={{ height: 52 }} padding={0}>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Anchor component={Link} to="/" underline="never" c="inherit" aria-label="Kozak: all projects">
              <Logo withName />
            </Anchor>
            <Breadcrumbs separator="/">
              <Anchor component={Link} to="/" size="sm">
                Projects
              </Anchor>
              {projectId && <ProjectCrumb projectId={projectId} />}
            </Breadcrumbs>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {projectId && <RunningJobs projectId={projectId} />}
            <ThemeToggle />
            <UserMenu user={user} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main h="100vh" style={{ display: "flex", flexDirection: "column" }}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function ProjectCrumb({ projectId }: { projectId: string }) {
  const project = useProject(projectId);
  return (
    <Text size="sm" fw={600}>
      {project.data?.name ?? "…"}
    </Text>
  );
}

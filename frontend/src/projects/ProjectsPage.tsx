/** The projects list: search, create, open, and the most recent experiments across projects. */
import {
  Badge,
  Button,
  Card,
  Container,
  Grid,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { IconFlask, IconFolder, IconPlus, IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";

import { useLoadMore } from "../api/paging";
import type { Project } from "../api/types";
import { formatWhen } from "../format";
import { ExperimentStatus } from "../views/shared/ExperimentStatus";
import { NewProjectModal } from "./NewProjectModal";
import { useProjects, useRecentExperiments } from "./queries";

export function ProjectsPage() {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 150);
  const projects = useProjects(debounced);
  const more = useLoadMore(projects);
  const [creating, { open, close }] = useDisclosure(false);
  const shown = projects.items;
  const none = !projects.isLoading && !debounced.trim() && shown.length === 0;

  return (
    <Container size="xl" py="lg" w="100%" style={{ overflow: "auto" }}>
      <Group justify="space-between" mb="md">
        <Title order={2}>Projects</Title>
        <Group>
          <TextInput
            aria-label="Search projects"
            placeholder="Search projects"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={260}
          />
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            New project
          </Button>
        </Group>
      </Group>
      <Grid gutter="lg">
        <Grid.Col span={8}>
          {projects.isLoading && <Loader />}
          {none && <EmptyProjects onCreate={open} />}
          {!projects.isLoading && debounced.trim() && shown.length === 0 && (
            <Text c="dimmed">No project matches “{debounced}”.</Text>
          )}
          <SimpleGrid cols={2} spacing="md">
            {shown.map((project) => (
              <ProjectCard key={project.id} project={project} />
            ))}
          </SimpleGrid>
          <div ref={more} aria-hidden style={{ height: 1 }} />
          {projects.isFetchingNextPage && <Loader size="sm" mt="md" />}
        </Grid.Col>
        <Grid.Col span={4}>
          <RecentExperiments />
        </Grid.Col>
      </Grid>
      <NewProjectModal opened={creating} onClose={close} />
    </Container>
  );
}

function ProjectCard({ project }: { project: Project }) {
  return (
    <UnstyledButton component={Link} to={`/projects/${project.id}/datasets`} aria-label={`Open project ${project.name}`}>
      <Card withBorder radius="md" padding="md" h="100%" className="hover-card">
        <Group justify="space-between" wrap="nowrap" mb={6}>
          <Group gap="xs" wrap="nowrap">
            <IconFolder size={20} color="var(--mantine-color-teal-6)" />
            <Text fw={600} truncate>
              {project.name}
            </Text>
          </Group>
          <Badge variant="light" color="gray" size="sm">
            {project.role}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed" lineClamp={2} mih={40}>
          {project.description || "No description"}
        </Text>
        <Text size="xs" c="dimmed" mt="sm">
          Created {formatWhen(project.created_at)} by {project.created_by}
        </Text>
      </Card>
    </UnstyledButton>
  );
}

function EmptyProjects({ onCreate }: { onCreate: () => void }) {
  return (
    <Card withBorder radius="md" p="xl">
      <Stack align="center" gap="sm">
        <IconFolder size={36} stroke={1.5} />
        <Text fw={600}>No projects yet</Text>
        <Text size="sm" c="dimmed" ta="center" maw={380}>
          A project holds datasets, experiments and deployments, and the people who work on them.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={onCreate}>
          New project
        </Button>
      </Stack>
    </Card>
  );
}

function RecentExperiments() {
  const found = useRecentExperiments();
  const recent = found.data?.data ?? [];
  const loading = found.isLoading;
  return (
    <Card withBorder radius="md" padding="md">
      <Group gap="xs" mb="sm">
        <IconFlask size={18} />
        <Text fw={600}>Recent experiments</Text>
      </Group>
      {loading && <Loader size="sm" />}
      {!loading && recent.length === 0 && (
        <Text size="sm" c="dimmed">
          Experiments you and your colleagues run show up here.
        </Text>
      )}
      <Stack gap="xs">
        {recent.map(({ project_id, project_name, experiment }) => (
          <UnstyledButton key={experiment.id} component={Link} to={`/projects/${project_id}/evaluation/${experiment.id}`} className="list-link">
            <Group justify="space-between" wrap="nowrap">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={500} truncate>
                  {experiment.name}
                </Text>
                <Text size="xs" c="dimmed" truncate>
                  {project_name} · {formatWhen(experiment.updated_at)}
                </Text>
              </div>
              <ExperimentStatus experiment={experiment} />
            </Group>
          </UnstyledButton>
        ))}
      </Stack>
    </Card>
  );
}

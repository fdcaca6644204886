/** What the Modeling and Evaluation views show until they are built: the project's experiments. */
import { Alert, Card, Loader, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { IconInfoCircle } from "@tabler/icons-react";
import type { ReactNode } from "react";

import { useExperiments } from "../../projects/queries";
import { ExperimentsTable } from "./ExperimentsTable";

export function ExperimentsPlaceholder({ projectId, title, note }: { projectId: string; title: string; note: ReactNode }) {
  const experiments = useExperiments(projectId);
  const list = experiments.data?.data ?? [];
  return (
    <ScrollArea style={{ flex: 1 }}>
      <Stack p="lg" gap="md">
        <Title order={4}>{title}</Title>
        <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />}>
          {note}
        </Alert>
        <Card withBorder radius="md" p={0}>
          {experiments.isLoading && <Loader m="md" />}
          {!experiments.isLoading && list.length === 0 && (
            <Text c="dimmed" p="md" size="sm">
              No experiments yet. Create them from Python or the command line (`kozak run`), then watch them here.
            </Text>
          )}
          {list.length > 0 && <ExperimentsTable experiments={list} />}
        </Card>
      </Stack>
    </ScrollArea>
  );
}

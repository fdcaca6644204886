/** The Deployment view: coming with the deployment API. */
import { Card, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconRocket } from "@tabler/icons-react";

import type { ViewProps } from "../registry";

export function DeploymentView(_: ViewProps) {
  return (
    <Stack p="lg">
      <Card withBorder radius="md" p="xl" maw={640}>
        <Stack align="center" gap="sm">
          <ThemeIcon size={48} radius="xl" variant="light">
            <IconRocket size={28} />
          </ThemeIcon>
          <Title order={4}>Deployments are coming</Title>
          <Text size="sm" c="dimmed" ta="center">
            Soon you will deploy a trained experiment to a REST endpoint from here: copy its URL and token, switch it on
            and off, try it with a sequence and watch its requests.
          </Text>
        </Stack>
      </Card>
    </Stack>
  );
}

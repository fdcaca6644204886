/**
 * What the server's check found, in words: the totals card on the canvas (parameters, FLOPs,
 * and a problems list that selects the block named) and the problems that name no block.
 */
import { Alert, Badge, Card, Group, Popover, ScrollArea, Stack, Text, UnstyledButton } from "@mantine/core";
import { IconAlertCircle, IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";

import { formatNumber } from "../../format";
import { compact } from "./BlockInspector";
import { localMessage } from "./BlockNode";
import type { Issue } from "./queries";

export function Totals({ params, flops, issues, stale, onPick }: { params?: number; flops?: number; issues: Issue[]; stale: boolean; onPick: (id: string) => void }) {
  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  return (
    <Card withBorder shadow="sm" radius="md" px="sm" py={8} w={188} data-testid="totals" style={{ opacity: stale ? 0.8 : 1 }}>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" c="dimmed">
          Parameters
        </Text>
        <Text size="sm" fw={600} ff="monospace" data-testid="total-params">
          {params === undefined ? "…" : formatNumber(params)}
        </Text>
      </Group>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" c="dimmed">
          FLOPs / example
        </Text>
        <Text size="sm" fw={600} ff="monospace" data-testid="total-flops">
          {flops === undefined ? "…" : compact(flops)}
        </Text>
      </Group>
      <Popover width={360} position="bottom-end" withArrow shadow="md" disabled={!issues.length}>
        <Popover.Target>
          <UnstyledButton aria-label="Problems" mt={6} display="block">
            {issues.length === 0 ? (
              <Badge color="teal" variant="light" fullWidth leftSection={<IconCircleCheck size={12} />}>
                Ready
              </Badge>
            ) : (
              <Group gap={4} wrap="nowrap" grow>
                {errors.length > 0 && (
                  <Badge color="red" variant="light" leftSection={<IconAlertCircle size={12} />}>
                    {errors.length} {errors.length === 1 ? "error" : "errors"}
                  </Badge>
                )}
                {warnings.length > 0 && (
                  <Badge color="yellow" variant="light" leftSection={<IconAlertTriangle size={12} />}>
                    {warnings.length} {warnings.length === 1 ? "warning" : "warnings"}
                  </Badge>
                )}
              </Group>
            )}
          </UnstyledButton>
        </Popover.Target>
        <Popover.Dropdown p={0}>
          <ScrollArea.Autosize mah={320}>
            <Stack gap={0}>
              {issues.map((issue, i) => (
                <UnstyledButton key={i} className="list-link" onClick={() => issue.node && onPick(issue.node)} px="sm" py={6}>
                  <Group gap={8} wrap="nowrap" align="flex-start">
                    {issue.severity === "error" ? (
                      <IconAlertCircle size={15} color="var(--mantine-color-red-6)" style={{ flexShrink: 0, marginTop: 2 }} />
                    ) : (
                      <IconAlertTriangle size={15} color="var(--mantine-color-yellow-7)" style={{ flexShrink: 0, marginTop: 2 }} />
                    )}
                    <Text size="xs">
                      {issue.node && <b>{issue.node}: </b>}
                      {issue.node ? localMessage(issue.message, issue.node) : issue.message}
                    </Text>
                  </Group>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Popover.Dropdown>
      </Popover>
    </Card>
  );
}

export function GraphIssues({ issues }: { issues: Issue[] }) {
  if (!issues.length) return null;
  return (
    <Stack gap={6} mt="sm">
      {issues.map((issue, i) => (
        <Alert key={i} color={issue.severity === "error" ? "red" : "yellow"} variant="light" p="xs">
          <Text size="xs">{issue.message}</Text>
        </Alert>
      ))}
    </Stack>
  );
}

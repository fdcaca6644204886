/**
 * The Design view: the project's designs (`design/:designId` opens one), a new one from trained
 * experiments, and the opened one's live rounds (a box plot per round, each design's trajectory
 * on hover), its headline figures and its table of designs with downloads.
 */
import { Badge, Box, Button, Card, Group, Loader, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlayerStop, IconPlus, IconTrash } from "@tabler/icons-react";
import { Navigate, Route, Routes, useNavigate, useParams } from "react-router";

import { useLoadMore } from "../../api/paging";
import type { Project } from "../../api/types";
import type { ViewProps } from "../registry";
import { DesignInspector } from "./DesignInspector";
import { DesignTable } from "./DesignTable";
import { NewDesignModal } from "./NewDesignModal";
import {
  ACTIVE,
  useDeleteDesign,
  useDesign,
  useDesignResult,
  useDesigns,
  useLatestDesign,
  useLiveRounds,
  useStopDesign,
  type DesignRecord,
} from "./queries";
import { RoundsChart } from "./RoundsChart";

export function DesignView({ project }: ViewProps) {
  return (
    <Box style={{ flex: 1, minWidth: 0, minHeight: 0, overflow: "auto" }}>
      <Routes>
        <Route path=":designId?" element={<DesignPage project={project} />} />
      </Routes>
    </Box>
  );
}

const STATUS_COLOR: Record<string, string> = {
  queued: "gray",
  running: "blue",
  completed: "teal",
  cancelled: "orange",
  failed: "red",
};

function DesignPage({ project }: { project: Project }) {
  const { designId } = useParams();
  const base = `/projects/${project.id}/design`;
  const navigate = useNavigate();
  const designs = useDesigns(project.id);
  const more = useLoadMore(designs);
  const latest = useLatestDesign(project.id);
  const opened = useDesign(project.id, designId);
  const [creating, modal] = useDisclosure(false);
  const canEdit = project.role !== "viewer";
  const list = designs.items;

  const selected = opened.data ?? list.find((d) => d.id === designId || d.name === designId) ?? null;
  if (designs.isLoading || latest.isLoading || (designId && !selected && opened.isLoading)) return <Loader m="xl" />;
  // Not while the creation dialog is open: unmounting it would drop its success callback.
  if (!designId && latest.data && !creating) return <Navigate to={`${base}/${latest.data.id}`} replace />;
  if (designId && !selected) return <Navigate to={base} replace />;

  return (
    <Stack p="lg" gap="md">
      <Group justify="space-between">
        <Group gap="sm">
          <Text fw={650} size="xl">
            Designs
          </Text>
          <Badge variant="light" color="gray">
            {designs.total}
          </Badge>
        </Group>
        {canEdit && (
          <Button leftSection={<IconPlus size={16} />} onClick={modal.open}>
            New design
          </Button>
        )}
      </Group>
      {designs.total === 0 ? (
        <Card withBorder p="xl">
          <Text c="dimmed" size="sm">
            A design evolves sequences toward what your trained models predict: the paper's greedy ascent, beam
            search or annealing, with forbidden motifs, fixed positions, GC range and edit limits.
          </Text>
        </Card>
      ) : (
        <Table highlightOnHover data-testid="design-list">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Starts</Table.Th>
              <Table.Th>Strategy</Table.Th>
              <Table.Th>Mean prediction</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((d) => (
              <Table.Tr
                key={d.id}
                onClick={() => void navigate(`${base}/${d.id}`)}
                style={{ cursor: "pointer" }}
                bg={d.id === selected?.id ? "var(--mantine-color-default-hover)" : undefined}
              >
                <Table.Td fw={600}>{d.name}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[d.status] ?? "gray"} variant="light">
                    {d.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{d.start_count}</Table.Td>
                <Table.Td>{d.settings.strategy}</Table.Td>
                <Table.Td>
                  {d.summary ? `${d.summary.start_mean.toFixed(3)} → ${d.summary.final_mean.toFixed(3)}` : "—"}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <div ref={more} aria-hidden style={{ height: 1 }} />
      {selected && <DesignDetail key={selected.id} project={project} design={selected} />}
      <NewDesignModal
        projectId={project.id}
        opened={creating}
        onClose={modal.close}
        onCreated={(design) => {
          modal.close();
          void navigate(`${base}/${design.id}`);
        }}
      />
    </Stack>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={650}>{value}</Text>
    </Card>
  );
}

function DesignDetail({ project, design }: { project: Project; design: DesignRecord }) {
  const active = ACTIVE.includes(design.status);
  const finished = !active && design.summary !== null;
  const live = useLiveRounds(project.id, design.id, active);
  const result = useDesignResult(project.id, design.id, finished);
  const stop = useStopDesign(project.id);
  const remove = useDeleteDesign(project.id);
  const navigate = useNavigate();
  const canEdit = project.role !== "viewer";
  const rounds = result.data?.round_predictions ?? live;
  const names = result.data?.designs.map((d) => d.name) ?? [];
  const summary = design.summary;
  return (
    <Stack gap="md" data-testid="design-detail">
      <DesignInspector projectId={project.id} design={design} statusColor={STATUS_COLOR[design.status] ?? "gray"} />
      <Group justify="space-between">
        <Group gap="sm">
          <Text fw={650} size="lg">
            {design.name}
          </Text>
          <Badge color={STATUS_COLOR[design.status] ?? "gray"} data-testid="design-status">
            {design.status}
          </Badge>
          {design.message && (
            <Text size="sm" c="red">
              {design.message}
            </Text>
          )}
        </Group>
        {canEdit && (
          <Group gap="xs">
            {active && (
              <Button variant="light" color="orange" leftSection={<IconPlayerStop size={16} />} onClick={() => stop.mutate(design.id)}>
                Stop
              </Button>
            )}
            {!active && (
              <Button
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => remove.mutate(design.id, { onSuccess: () => void navigate(`/projects/${project.id}/design`) })}
              >
                Delete
              </Button>
            )}
          </Group>
        )}
      </Group>
      {summary && (
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          <Figure label="Designs improved" value={`${summary.improved} of ${summary.designs}`} />
          <Figure label={`Mean ${summary.label}`} value={`${summary.start_mean.toFixed(3)} → ${summary.final_mean.toFixed(3)}`} />
          <Figure label="Mean gain" value={summary.mean_gain.toFixed(3)} />
          <Figure label="Mean edits" value={summary.mean_edits.toFixed(1)} />
          <Figure label="Rounds" value={`${summary.rounds}${summary.stopped ? " (stopped)" : ""}`} />
        </SimpleGrid>
      )}
      {rounds.length > 0 ? (
        <Card withBorder>
          <RoundsChart rounds={rounds} names={names} label={result.data?.label ?? summary?.label ?? "prediction"} />
        </Card>
      ) : (
        active && <Loader size="sm" />
      )}
      {result.data && (
        <DesignTable
          projectId={project.id}
          designId={design.id}
          designs={result.data.designs}
          ensemble={result.data.models.length > 1}
        />
      )}
    </Stack>
  );
}

/**
 * The title row of the Datasets view: a menu that names what is open and switches between the
 * project's dataset versions (newest first, a page at a time as it scrolls, searched on the
 * server) and drafts, its state, its actions, and "New dataset".
 */
import { Badge, Button, Group, Menu, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconChevronDown, IconDatabase, IconFilePencil, IconPlus, IconSearch } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { useNavigate } from "react-router";

import { useLoadMore } from "../../api/paging";
import { formatCount } from "../../format";
import { DataApiButton } from "./DataApiModal";
import { useNewDataset } from "./newDataset";
import { DATASET_PAGE, useDatasets, useDrafts } from "./queries";

interface Props {
  projectId: string;
  base: string;
  title: string;
  badge: ReactNode;
  actions: ReactNode;
}

export function DatasetHeader({ projectId, base, title, badge, actions }: Props) {
  const [search, setSearch] = useState("");
  const [searched] = useDebouncedValue(search, 150);
  const datasets = useDatasets(projectId, searched);
  const more = useLoadMore(datasets);
  const drafts = useDrafts(projectId);
  const navigate = useNavigate();
  const openNew = useNewDataset();
  return (
    <Group justify="space-between" wrap="nowrap" gap="sm">
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <Menu position="bottom-start" width={320} withArrow>
          <Menu.Target>
            <UnstyledButton aria-label={`Switch dataset (now ${title})`} className="list-link" style={{ minWidth: 0 }}>
              <Group gap={6} wrap="nowrap">
                <Text fw={650} size="xl" truncate>
                  {title}
                </Text>
                <IconChevronDown size={18} style={{ flexShrink: 0 }} />
              </Group>
            </UnstyledButton>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Datasets</Menu.Label>
            {(search || datasets.total > DATASET_PAGE) && (
              <TextInput
                size="xs"
                mx={6}
                mb={4}
                aria-label="Search datasets"
                placeholder="Search datasets"
                leftSection={<IconSearch size={14} />}
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                onKeyDown={(e) => e.stopPropagation()} // typing is not menu navigation
              />
            )}
            {datasets.isSuccess && datasets.items.length === 0 && (
              <Menu.Item disabled>{searched.trim() ? "No dataset matches" : "None saved yet"}</Menu.Item>
            )}
            <div style={{ maxHeight: 360, overflowY: "auto" }}>
              {datasets.items.flatMap((dataset) =>
                [...dataset.versions].reverse().map((version) => (
                  <Menu.Item
                    key={version.id}
                    leftSection={<IconDatabase size={16} />}
                    rightSection={<Text size="xs" c="dimmed">{formatCount(version.row_count)} rows</Text>}
                    onClick={() => navigate(`${base}/${dataset.id}/${version.id}`)}
                  >
                    {dataset.name} · {version.name}
                  </Menu.Item>
                )),
              )}
              <div ref={more} aria-hidden style={{ height: 1 }} />
            </div>
            {(drafts.data?.data.length ?? 0) > 0 && <Menu.Label>Drafts</Menu.Label>}
            {drafts.data?.data.map((draft) => (
              <Menu.Item key={draft.id} leftSection={<IconFilePencil size={16} />} onClick={() => navigate(`${base}/draft/${draft.id}`)}>
                {draft.name}
              </Menu.Item>
            ))}
            <Menu.Divider />
            <Menu.Item leftSection={<IconPlus size={16} />} onClick={openNew}>
              New dataset
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
        <div style={{ flexShrink: 0 }}>{badge}</div>
      </Group>
      <Group gap="xs" wrap="nowrap">
        {actions}
        <DataApiButton projectId={projectId} />
        <Button variant="default" leftSection={<IconPlus size={16} />} onClick={openNew}>
          New dataset
        </Button>
      </Group>
    </Group>
  );
}

export function StateBadge({ children, color }: { children: ReactNode; color: string }) {
  return (
    <Badge variant="light" color={color} style={{ flexShrink: 0 }}>
      {children}
    </Badge>
  );
}

/** The Inspector when nothing is selected in a draft: its files and its import options. */
import { ActionIcon, Group, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { IconFile, IconTrash } from "@tabler/icons-react";

import { api, call } from "../../api/client";
import type { Draft } from "../../api/types";
import { formatBytes, formatCount } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { notifyError } from "../../shell/notify";
import { draftRequests, useDraftEdit } from "./queries";

export function DraftInspector({ draft }: { draft: Draft }) {
  const path = { project_id: draft.project_id, draft_id: draft.id };
  const removeFile = useDraftEdit((filename: string) => draftRequests(draft.project_id, draft.id).removeFile(filename));
  const setDropMissing = useDraftEdit((drop_missing: boolean) =>
    call(api.PATCH("/api/projects/{project_id}/drafts/{draft_id}/options", { params: { path }, body: { drop_missing } })),
  );
  return (
    <Inspector title={draft.name}>
      <Text size="sm" c="dimmed">
        An unsaved dataset: {formatCount(draft.row_count)} rows, {draft.features.length} features. Click a column to edit it, or a
        subset to see it.
      </Text>
      <Stack gap={6}>
        <Text size="xs" c="dimmed">
          Files
        </Text>
        {draft.files.map((file) => (
          <Group key={file.name} justify="space-between" wrap="nowrap">
            <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
              <IconFile size={16} />
              <Text size="sm" truncate>
                {file.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatBytes(file.size)}
              </Text>
            </Group>
            <Tooltip label={`Take ${file.name} out`}>
              <ActionIcon
                variant="subtle"
                color="red"
                size="sm"
                aria-label={`Take ${file.name} out`}
                onClick={() => removeFile.mutate(file.name, { onError: (e) => notifyError(e) })}
              >
                <IconTrash size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
        ))}
      </Stack>
      <Switch
        label="Drop rows with missing values"
        description={draft.dropped_rows ? `${formatCount(draft.dropped_rows)} rows dropped` : "Otherwise a missing value stops the save"}
        checked={draft.spec?.drop_missing ?? false}
        onChange={(e) => setDropMissing.mutate(e.currentTarget.checked, { onError: (err) => notifyError(err) })}
      />
    </Inspector>
  );
}

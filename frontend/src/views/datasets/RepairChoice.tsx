/**
 * What happens to the rows a feature cannot read (a letter outside the alphabet, text in a
 * number column): refuse them (the draft cannot be saved), drop them, or, for DNA and RNA, read
 * the unknown letters as N. Shows how many rows (and letters) that touches before Save, and
 * links to the first such row in the row browser.
 */
import { Anchor, SegmentedControl, Stack, Text } from "@mantine/core";

import { api, call } from "../../api/client";
import type { Draft, DraftFeature } from "../../api/types";
import { formatCount } from "../../format";
import { notifyError } from "../../shell/notify";
import { useDraftEdit } from "./queries";

type OnInvalid = DraftFeature["on_invalid"];

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

/** Whether a feature has rows it cannot read, or a choice about them was made. */
export function needsRepairChoice(feature: DraftFeature): boolean {
  return feature.invalid_rows > 0 || feature.on_invalid !== "refuse";
}

interface Props {
  projectId: string;
  draftId: string;
  feature: DraftFeature;
  draft: Draft;
  onShowRow: (row: number) => void;
  /** Choices stacked (the narrow Inspector) rather than side by side. */
  vertical?: boolean;
}

export function RepairChoice({ projectId, draftId, feature, draft, onShowRow, vertical = false }: Props) {
  const update = useDraftEdit((on_invalid: OnInvalid) =>
    call(
      api.PATCH("/api/projects/{project_id}/drafts/{draft_id}/features/{feature}", {
        params: { path: { project_id: projectId, draft_id: draftId, feature: feature.name } },
        body: { on_invalid },
      }),
    ),
  );
  const withN = feature.type === "sequence" && feature.sequence?.alphabet !== "protein";
  const repair = draft.repairs.find((r) => r.feature === feature.name);
  const choices = [
    { value: "refuse", label: "Refuse" },
    { value: "drop", label: "Drop the rows" },
    ...(withN ? [{ value: "as_n", label: "Unknown letters → N" }] : []),
  ];
  let outcome = "Saving is refused while a row cannot be read.";
  if (feature.on_invalid === "drop") outcome = `Saving drops ${plural(repair?.rows ?? feature.invalid_rows, "row")}.`;
  if (feature.on_invalid === "as_n" && repair) {
    outcome = `Saving reads ${plural(repair.letters ?? 0, "unknown letter")} in ${plural(repair.rows, "row")} as N.`;
  }
  return (
    <Stack gap={4} data-testid={`repair-${feature.name}`}>
      <Text size="sm" fw={500}>
        Rows {feature.name} cannot read
      </Text>
      <Text size="xs">
        {plural(feature.invalid_rows, "row")}
        {feature.unknown_letters > 0 && ` (${plural(feature.unknown_letters, "unknown letter")})`}
        {feature.first_invalid_row !== null && (
          <>
            {", the first is "}
            <Anchor component="button" type="button" size="xs" onClick={() => onShowRow(feature.first_invalid_row!)}>
              row {feature.first_invalid_row}
            </Anchor>
          </>
        )}
      </Text>
      <SegmentedControl
        aria-label={`Rows ${feature.name} cannot read`}
        size="xs"
        fullWidth
        orientation={vertical ? "vertical" : "horizontal"}
        data={choices}
        value={feature.on_invalid}
        disabled={update.isPending}
        onChange={(value) =>
          update.mutate(value as OnInvalid, { onError: (error) => notifyError(error, `Could not change ${feature.name}`) })
        }
      />
      <Text size="xs" c="dimmed" data-testid={`repair-outcome-${feature.name}`}>
        {outcome}
      </Text>
    </Stack>
  );
}

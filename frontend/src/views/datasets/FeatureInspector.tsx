/**
 * The Inspector for a draft's column: label, type, sequence encoding, normalization, and
 * leaving the column out. Every change is one request; the table follows its answer.
 */
import { Button, Divider, Group, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useEffect, useState, type ReactNode } from "react";

import { api, call } from "../../api/client";
import type { FeatureStats, FeatureUpdate } from "../../api/types";
import { formatNumber } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { notifyError } from "../../shell/notify";
import { FEATURE_TYPES, isNumeric, NORMALIZATIONS, shapeText, TYPE_LOOKS, type Column } from "./columns";
import { useDraftEdit } from "./queries";

interface Props {
  projectId: string;
  draftId: string;
  column: Column;
  stats?: FeatureStats;
  normalizeOn: string;
  onRenamed: (name: string) => void;
  onRemoved: () => void;
  /** What happens to the rows the feature cannot read, when it has some. */
  repair?: ReactNode;
}

export function FeatureInspector({ projectId, draftId, column, stats, normalizeOn, onRenamed, onRemoved, repair }: Props) {
  const path = { project_id: projectId, draft_id: draftId, feature: column.name };
  const update = useDraftEdit((body: FeatureUpdate) =>
    call(api.PATCH("/api/projects/{project_id}/drafts/{draft_id}/features/{feature}", { params: { path }, body })),
  );
  const remove = useDraftEdit(() =>
    call(api.DELETE("/api/projects/{project_id}/drafts/{draft_id}/features/{feature}", { params: { path } })),
  );
  const change = (body: FeatureUpdate, after?: () => void) =>
    update.mutate(body, { onSuccess: after, onError: (error) => notifyError(error, `Could not change ${column.name}`) });

  return (
    <Inspector title={column.name}>
      <LabelField name={column.name} onCommit={(name) => change({ name }, () => onRenamed(name))} />
      <Select
        label="Type"
        data={FEATURE_TYPES.map((type) => ({ value: type, label: TYPE_LOOKS[type].label }))}
        value={column.type}
        allowDeselect={false}
        description={column.detectedType && column.detectedType !== column.type ? `Detected as ${TYPE_LOOKS[column.detectedType].label.toLowerCase()}` : undefined}
        onChange={(type) => type && type !== column.type && change({ type: type as Column["type"] })}
      />
      {column.type === "sequence" && column.sequence && <EncodingFields column={column} onChange={(encoding) => change({ encoding })} />}
      {(isNumeric(column.type) || column.type === "array") && (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Normalization
          </Text>
          <SegmentedControl
            aria-label="Normalization"
            fullWidth
            data={NORMALIZATIONS}
            value={column.normalization}
            onChange={(normalization) => change({ normalization: normalization as Column["normalization"] })}
          />
          <Text size="xs" c="dimmed">
            Statistics come from the “{normalizeOn}” rows.
          </Text>
        </Stack>
      )}
      {repair}
      <Divider />
      <Facts column={column} stats={stats} />
      <Button
        variant="subtle"
        color="red"
        leftSection={<IconTrash size={16} />}
        loading={remove.isPending}
        onClick={() => remove.mutate(undefined, { onSuccess: onRemoved, onError: (e) => notifyError(e) })}
      >
        Leave this column out
      </Button>
    </Inspector>
  );
}

/** The label, committed when the field loses focus (Enter blurs it, so there is one path). */
function LabelField({ name, onCommit }: { name: string; onCommit: (name: string) => void }) {
  const [value, setValue] = useState(name);
  useEffect(() => setValue(name), [name]);
  const commit = () => {
    const trimmed = value.trim();
    if (trimmed && trimmed !== name) onCommit(trimmed);
    else setValue(name);
  };
  return (
    <TextInput
      label="Label"
      description="The name models and the API use for this feature."
      value={value}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") e.currentTarget.blur();
        if (e.key === "Escape") setValue(name);
      }}
    />
  );
}

function EncodingFields({ column, onChange }: { column: Column; onChange: (encoding: NonNullable<FeatureUpdate["encoding"]>) => void }) {
  const encoding = column.sequence!;
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Encoding {shapeText(column.tensorShape) && <Text span c="dimmed" size="xs">one-hot {shapeText(column.tensorShape)}</Text>}
      </Text>
      <Select
        label="Alphabet"
        size="xs"
        data={[
          { value: "dna", label: "DNA (A C G T)" },
          { value: "rna", label: "RNA (A C G U)" },
          { value: "protein", label: "Protein (20 amino acids)" },
        ]}
        value={encoding.alphabet ?? "dna"}
        allowDeselect={false}
        onChange={(alphabet) => alphabet && onChange({ alphabet: alphabet as "dna" | "rna" | "protein" })}
      />
      <Stack gap={2}>
        <Text size="xs" fw={500}>
          Alignment
        </Text>
        <SegmentedControl
          size="xs"
          aria-label="Alignment"
          data={[
            { value: "left", label: "Left" },
            { value: "center", label: "Center" },
            { value: "right", label: "Right" },
          ]}
          value={encoding.alignment ?? "left"}
          onChange={(alignment) => onChange({ alignment: alignment as "left" | "center" | "right" })}
        />
      </Stack>
      <Group grow>
        <CommittedNumber label="Length" placeholder="longest" min={1} value={encoding.length ?? null} onCommit={(length) => onChange({ length })} />
        <CommittedNumber label="Padding" min={0} value={encoding.padding ?? 0} onCommit={(padding) => onChange({ padding: padding ?? 0 })} />
      </Group>
    </Stack>
  );
}

function CommittedNumber({ label, value, min, placeholder, onCommit }: { label: string; value: number | null; min: number; placeholder?: string; onCommit: (value: number | null) => void }) {
  const [draft, setDraft] = useState<string | number>(value ?? "");
  useEffect(() => setDraft(value ?? ""), [value]);
  const commit = () => {
    const next = draft === "" ? null : Number(draft);
    if (next !== value) onCommit(next);
  };
  return (
    <NumberInput
      size="xs"
      label={label}
      placeholder={placeholder}
      min={min}
      allowDecimal={false}
      value={draft}
      onChange={setDraft}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
    />
  );
}

function Facts({ column, stats }: { column: Column; stats?: FeatureStats }) {
  const facts: [string, string][] = [["Column", column.file ? `${column.source} in ${column.file}` : column.source]];
  const shape = shapeText(column.tensorShape);
  if (shape) facts.push(["Model input", shape]);
  if (column.categories) facts.push(["Classes", column.categories.slice(0, 12).join(", ") + (column.categories.length > 12 ? ", …" : "")]);
  if (stats?.mean !== undefined) facts.push(["Mean ± sd", `${formatNumber(stats.mean)} ± ${formatNumber(stats.sd)}`]);
  if (stats?.min !== undefined) facts.push(["Range", `${formatNumber(stats.min)} to ${formatNumber(stats.max)}`]);
  if (stats?.length) facts.push(["Lengths", `${stats.length.min} to ${stats.length.max} (mean ${formatNumber(stats.length.mean)})`]);
  if (stats?.composition) {
    facts.push([
      "Composition",
      Object.entries(stats.composition)
        .filter(([, share]) => share > 0)
        .map(([letter, share]) => `${letter} ${Math.round(share * 100)}%`)
        .join("  "),
    ]);
  }
  if (column.stats) facts.push(["Normalized with", `mean ${formatNumber(column.stats.mean)}, sd ${formatNumber(column.stats.std)}`]);
  return (
    <Stack gap={6}>
      {facts.map(([label, value]) => (
        <Group key={label} justify="space-between" wrap="nowrap" align="flex-start" gap="md">
          <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            {label}
          </Text>
          <Text size="xs" ta="right">
            {value}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

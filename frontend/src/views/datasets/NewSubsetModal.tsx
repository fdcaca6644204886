/**
 * "New subset": by random percentage with a seed, by conditions on features (feature,
 * operator, value; all or any), or by rank (top or bottom percent or count by a number). While
 * it is written, the server counts the rows the definition holds (nothing is added until Create).
 */
import {
  ActionIcon,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconX } from "@tabler/icons-react";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, call, errorMessage } from "../../api/client";
import { formatCount } from "../../format";
import type { Condition, SubsetSpec } from "../../api/types";
import { isNumeric, type Column } from "./columns";
import { useDraftEdit } from "./queries";
import { OPERATORS } from "./subsetText";

type Kind = "filter" | "random" | "rank";

interface ConditionRow {
  feature: string | null;
  op: Condition["op"];
  value: string;
}

interface Props {
  projectId: string;
  draftId: string;
  columns: Column[];
  subsets: string[];
  opened: boolean;
  onClose: () => void;
}

/** The typed value of a condition: numbers for number columns, lists for `in`. */
function conditionValue(row: ConditionRow, column: Column | undefined): unknown {
  const numeric = column !== undefined && isNumeric(column.type);
  const parse = (text: string) => (numeric && text.trim() !== "" && !Number.isNaN(Number(text)) ? Number(text) : text.trim());
  if (row.op === "in") return row.value.split(",").map(parse);
  return parse(row.value);
}

export function NewSubsetModal({ projectId, draftId, columns, subsets, opened, onClose }: Props) {
  const [kind, setKind] = useState<Kind>("filter");
  const [name, setName] = useState("");
  const [conditions, setConditions] = useState<ConditionRow[]>([{ feature: null, op: "==", value: "" }]);
  const [combine, setCombine] = useState<"and" | "or">("and");
  const [random, setRandom] = useState({ start: 0, end: 80, seed: 0 });
  const [rank, setRank] = useState<{ feature: string | null; side: "top" | "bottom"; amount: number; unit: "percent" | "count" }>({
    feature: null,
    side: "top",
    amount: 5,
    unit: "percent",
  });
  const [within, setWithin] = useState<string[]>([]);
  const [excluding, setExcluding] = useState<string[]>([]);
  const add = useDraftEdit((subset: SubsetSpec) =>
    call(
      api.POST("/api/projects/{project_id}/drafts/{draft_id}/subsets", {
        params: { path: { project_id: projectId, draft_id: draftId } },
        body: subset,
      }),
    ),
  );

  const byName = new Map(columns.map((c) => [c.name, c]));
  const featureOptions = columns.filter((c) => c.type !== "sequence" && c.type !== "array").map((c) => c.name);
  const numberOptions = columns.filter((c) => isNumeric(c.type)).map((c) => c.name);

  const close = () => {
    setName("");
    setConditions([{ feature: null, op: "==", value: "" }]);
    setWithin([]);
    setExcluding([]);
    add.reset();
    onClose();
  };

  const definition = (): SubsetSpec => {
    const common = { name: name.trim(), within, excluding };
    if (kind === "random") return { ...common, kind, ...random };
    if (kind === "rank") {
      return {
        ...common,
        kind,
        feature: rank.feature ?? "",
        side: rank.side,
        ...(rank.unit === "percent" ? { percent: rank.amount } : { count: rank.amount }),
      };
    }
    return {
      ...common,
      kind,
      combine,
      conditions: conditions.map((row) => ({
        feature: row.feature ?? "",
        op: row.op,
        value: conditionValue(row, byName.get(row.feature ?? "")),
      })),
    };
  };

  const defined =
    kind === "random" ||
    (kind === "rank" && rank.feature !== null) ||
    (kind === "filter" && conditions.every((c) => c.feature && c.value.trim() !== ""));
  const complete = name.trim() !== "" && defined;

  // The count of the definition as it stands (a placeholder name until one is typed).
  const [countedJson] = useDebouncedValue(defined && opened ? JSON.stringify({ ...definition(), name: name.trim() || "new subset" }) : null, 250);
  const counted = countedJson === null ? null : (JSON.parse(countedJson) as SubsetSpec);
  const count = useQuery({
    queryKey: ["projects", projectId, "drafts", draftId, "subset-count", countedJson],
    enabled: counted !== null,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () =>
      call(
        api.POST("/api/projects/{project_id}/drafts/{draft_id}/subsets/count", {
          params: { path: { project_id: projectId, draft_id: draftId } },
          body: counted!,
        }),
      ),
  });

  const setCondition = (index: number, patch: Partial<ConditionRow>) =>
    setConditions((rows) => rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <Modal opened={opened} onClose={close} title="New subset" size="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (complete) add.mutate(definition(), { onSuccess: close });
        }}
      >
        <Stack>
          <TextInput label="Name" placeholder="Training 95%" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus required />
          <SegmentedControl
            aria-label="Kind of subset"
            value={kind}
            onChange={(value) => setKind(value as Kind)}
            data={[
              { value: "filter", label: "Condition" },
              { value: "random", label: "Random %" },
              { value: "rank", label: "Rank" },
            ]}
          />
          {kind === "filter" && (
            <Stack gap="xs">
              {conditions.map((row, index) => (
                <Group key={index} gap="xs" wrap="nowrap" align="flex-end">
                  <Select
                    label={index === 0 ? "Feature" : undefined}
                    aria-label={`Feature of condition ${index + 1}`}
                    placeholder="feature"
                    data={featureOptions}
                    value={row.feature}
                    onChange={(feature) => setCondition(index, { feature })}
                    searchable
                    w={170}
                  />
                  <Select
                    label={index === 0 ? "Operator" : undefined}
                    aria-label={`Operator of condition ${index + 1}`}
                    data={OPERATORS}
                    value={row.op}
                    allowDeselect={false}
                    onChange={(op) => op && setCondition(index, { op: op as Condition["op"] })}
                    w={160}
                  />
                  <ValueInput index={index} row={row} column={byName.get(row.feature ?? "")} onChange={(value) => setCondition(index, { value })} />
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mb={4}
                    aria-label={`Remove condition ${index + 1}`}
                    disabled={conditions.length === 1}
                    onClick={() => setConditions((rows) => rows.filter((_, i) => i !== index))}
                  >
                    <IconX size={16} />
                  </ActionIcon>
                </Group>
              ))}
              <Group justify="space-between">
                <Button
                  variant="subtle"
                  size="xs"
                  leftSection={<IconPlus size={14} />}
                  onClick={() => setConditions((rows) => [...rows, { feature: null, op: "==", value: "" }])}
                >
                  Add condition
                </Button>
                {conditions.length > 1 && (
                  <SegmentedControl
                    size="xs"
                    aria-label="Combine conditions"
                    value={combine}
                    onChange={(value) => setCombine(value as "and" | "or")}
                    data={[
                      { value: "and", label: "All hold" },
                      { value: "or", label: "Any holds" },
                    ]}
                  />
                )}
              </Group>
            </Stack>
          )}
          {kind === "random" && (
            <Stack gap="xs">
              <Group grow>
                <NumberInput label="From %" min={0} max={100} value={random.start} onChange={(v) => setRandom((r) => ({ ...r, start: Number(v) || 0 }))} />
                <NumberInput label="To %" min={0} max={100} value={random.end} onChange={(v) => setRandom((r) => ({ ...r, end: Number(v) || 0 }))} />
                <NumberInput label="Seed" min={0} allowDecimal={false} value={random.seed} onChange={(v) => setRandom((r) => ({ ...r, seed: Number(v) || 0 }))} />
              </Group>
              <Text size="xs" c="dimmed">
                Every row draws a number from 0 to 100 with the seed and joins when it falls in the range: subsets of one seed with
                ranges that do not overlap never share rows.
              </Text>
            </Stack>
          )}
          {kind === "rank" && (
            <Group grow align="flex-end">
              <SegmentedControl
                aria-label="Side"
                value={rank.side}
                onChange={(side) => setRank((r) => ({ ...r, side: side as "top" | "bottom" }))}
                data={[
                  { value: "top", label: "Top" },
                  { value: "bottom", label: "Bottom" },
                ]}
              />
              <NumberInput label="Amount" min={0} value={rank.amount} onChange={(v) => setRank((r) => ({ ...r, amount: Number(v) || 0 }))} />
              <Select
                label="Unit"
                data={[
                  { value: "percent", label: "% of rows" },
                  { value: "count", label: "rows" },
                ]}
                value={rank.unit}
                allowDeselect={false}
                onChange={(unit) => unit && setRank((r) => ({ ...r, unit: unit as "percent" | "count" }))}
              />
              <Select label="By" placeholder="number feature" data={numberOptions} value={rank.feature} onChange={(feature) => setRank((r) => ({ ...r, feature }))} />
            </Group>
          )}
          {subsets.length > 0 && (
            <Group grow>
              <MultiSelect label="Only rows in" placeholder="all rows" data={subsets} value={within} onChange={setWithin} clearable />
              <MultiSelect label="Never rows in" placeholder="no exclusion" data={subsets} value={excluding} onChange={setExcluding} clearable />
            </Group>
          )}
          <Text size="sm" aria-live="polite" data-testid="subset-count" c={count.error ? "red" : undefined}>
            {!defined || !counted
              ? "Rows: complete the definition to count them."
              : count.error
                ? errorMessage(count.error)
                : count.data
                  ? `${formatCount(count.data.rows)} of ${formatCount(count.data.row_count)} rows${count.isFetching ? " …" : ""}`
                  : "Counting rows…"}
          </Text>
          {add.error && (
            <Text c="red" size="sm" role="alert">
              {errorMessage(add.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={!complete} loading={add.isPending}>
              Create subset
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ValueInput({ index, row, column, onChange }: { index: number; row: ConditionRow; column?: Column; onChange: (value: string) => void }) {
  const label = index === 0 ? "Value" : undefined;
  const aria = `Value of condition ${index + 1}`;
  if (column?.categories && row.op !== "in" && row.op !== "contains") {
    return <Select label={label} aria-label={aria} data={column.categories} value={row.value || null} onChange={(v) => onChange(v ?? "")} style={{ flex: 1 }} searchable />;
  }
  return (
    <TextInput
      label={label}
      aria-label={aria}
      placeholder={row.op === "in" ? "a, b, c" : "value"}
      value={row.value}
      onChange={(e) => onChange(e.currentTarget.value)}
      style={{ flex: 1 }}
    />
  );
}

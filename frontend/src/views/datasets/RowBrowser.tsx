/**
 * The row browser of a draft or a version: every row (virtualized, fetched page by page),
 * sorted by any feature, filtered by conditions such as `growth_rate > 0.5`, only the rows some
 * feature cannot read, and "go to row" by the number the table shows (counted from 1). An error
 * that names a row jumps here through `jump`.
 */
import { ActionIcon, Badge, Button, Group, NumberInput, Select, Stack, Switch, Text, TextInput, Tooltip } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconFilter, IconX } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";

import { errorMessage } from "../../api/client";
import type { Condition, FeatureStats } from "../../api/types";
import { formatCount } from "../../format";
import { isNumeric, type Column } from "./columns";
import { FeatureTable } from "./FeatureTable";
import { ALL_ROWS, useRowPages, type RowQuery, type RowsTarget } from "./rowPages";

/** A row to show: its number (from 1); a new object each time it is asked. */
export interface Jump {
  row: number;
}

interface Props {
  target: RowsTarget;
  columns: Column[];
  stats: Record<string, FeatureStats> | undefined;
  statsLoading?: boolean;
  selected: string | null;
  onSelect: (name: string) => void;
  jump: Jump | null;
  height?: number;
}

const SYMBOLS: [string, Condition["op"]][] = [
  ["contains", "contains"],
  [">=", ">="],
  ["≥", ">="],
  ["<=", "<="],
  ["≤", "<="],
  ["!=", "!="],
  ["≠", "!="],
  ["==", "=="],
  ["=", "=="],
  [">", ">"],
  ["<", "<"],
];

/** `growth_rate > 0.5`, `condition = V`, `seq contains X` as a condition (numbers for number columns). */
export function parseCondition(text: string, columns: Column[]): Condition | string {
  for (const [symbol, op] of SYMBOLS) {
    const at = text.indexOf(symbol);
    if (at <= 0) continue;
    const feature = text.slice(0, at).trim();
    const raw = text.slice(at + symbol.length).trim();
    const column = columns.find((c) => c.name === feature);
    if (!column) return `no feature ${feature}; features: ${columns.map((c) => c.name).join(", ")}`;
    if (!raw) return `a value is missing after ${symbol}`;
    const value = isNumeric(column.type) && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    return { feature, op, value };
  }
  return "write a feature, an operator (=, ≠, <, ≤, >, ≥, contains) and a value, e.g. growth_rate > 0.5";
}

function conditionText(c: Condition): string {
  return `${c.feature} ${c.op} ${String(c.value)}`;
}

export function RowBrowser({ target, columns, stats, statsLoading, selected, onSelect, jump, height = 420 }: Props) {
  const [query, setQuery] = useState<RowQuery>(ALL_ROWS);
  const [filterText, setFilterText] = useState("");
  const [filterError, setFilterError] = useState<string | null>(null);
  const [goTo, setGoTo] = useState<number | string>("");
  const [scrollTo, setScrollTo] = useState<{ index: number } | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const pages = useRowPages(target, query);
  const sortable = columns.filter((c) => c.type !== "array");

  /** Show row `number` (from 1): every row in file order, scrolled to it and marked. */
  const show = (number: number) => {
    box.current?.scrollIntoView({ block: "nearest" });
    setQuery(ALL_ROWS);
    setHighlight(number);
    setScrollTo({ index: number - 1 });
  };
  useEffect(() => {
    if (jump) show(jump.row);
  }, [jump]);

  const addFilter = () => {
    const parsed = parseCondition(filterText, sortable);
    if (typeof parsed === "string") {
      setFilterError(parsed);
      return;
    }
    setFilterError(null);
    setFilterText("");
    setQuery((q) => ({ ...q, where: [...q.where, parsed] }));
  };
  const goToRow = () => {
    const number = Number(goTo);
    if (Number.isInteger(number) && number >= 1 && number <= (pages.rowCount || Infinity)) show(number);
  };
  const filtered = query.where.length > 0 || query.invalid;

  return (
    <Stack gap={6} data-testid="row-browser" ref={box}>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <Select
          size="xs"
          label="Sort by"
          placeholder="row number"
          data={sortable.map((c) => c.name)}
          value={query.sort}
          onChange={(sort) => setQuery((q) => ({ ...q, sort }))}
          clearable
          w={150}
        />
        <Tooltip label={query.descending ? "Descending" : "Ascending"}>
          <ActionIcon
            variant="default"
            size="md"
            aria-label={query.descending ? "Sort ascending" : "Sort descending"}
            onClick={() => setQuery((q) => ({ ...q, descending: !q.descending }))}
          >
            {query.descending ? <IconArrowDown size={16} /> : <IconArrowUp size={16} />}
          </ActionIcon>
        </Tooltip>
        <TextInput
          size="xs"
          label="Filter rows"
          aria-label="Filter rows"
          placeholder="e.g. growth_rate > 0.5, then Enter"
          leftSection={<IconFilter size={14} />}
          value={filterText}
          error={filterError}
          onChange={(e) => setFilterText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              addFilter();
            }
          }}
          w={250}
        />
        <NumberInput
          size="xs"
          label="Go to row"
          aria-label="Go to row"
          placeholder={pages.rowCount ? `1–${formatCount(pages.rowCount)}` : "row"}
          min={1}
          max={pages.rowCount || undefined}
          allowDecimal={false}
          value={goTo}
          onChange={setGoTo}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              goToRow();
            }
          }}
          w={110}
        />
        <Button size="xs" variant="default" onClick={goToRow} disabled={goTo === ""}>
          Go
        </Button>
        <Switch
          size="sm"
          label={`Show invalid rows only (${formatCount(pages.invalidRows)})`}
          checked={query.invalid}
          disabled={pages.invalidRows === 0 && !query.invalid}
          onChange={(e) => {
            const invalid = e.currentTarget.checked;
            setQuery((q) => ({ ...q, invalid }));
          }}
          color="red"
          mb={4}
        />
      </Group>
      {query.where.length > 0 && (
        <Group gap={6}>
          {query.where.map((condition, i) => (
            <Badge
              key={i}
              variant="light"
              tt="none"
              rightSection={
                <ActionIcon
                  size="xs"
                  variant="transparent"
                  aria-label={`Remove filter ${conditionText(condition)}`}
                  onClick={() => setQuery((q) => ({ ...q, where: q.where.filter((_, j) => j !== i) }))}
                >
                  <IconX size={12} />
                </ActionIcon>
              }
            >
              {conditionText(condition)}
            </Badge>
          ))}
        </Group>
      )}
      {pages.error && (
        <Text size="sm" c="red" role="alert">
          {errorMessage(pages.error)}
        </Text>
      )}
      <FeatureTable
        columns={columns}
        rows={[]}
        source={{ count: pages.total, at: pages.at, onRange: pages.onRange, scrollTo, highlight }}
        stats={stats}
        statsLoading={statsLoading}
        selected={selected}
        onSelect={onSelect}
        maxHeight={height}
      />
      <Text size="xs" c="dimmed" data-testid="rows-note">
        {filtered
          ? `${formatCount(pages.total)} of ${formatCount(pages.rowCount)} rows match`
          : `${formatCount(pages.rowCount)} rows`}{" "}
        · {columns.length} features · rows numbered from 1{target.kind === "draft" ? ", as in the files" : ""}
      </Text>
    </Stack>
  );
}

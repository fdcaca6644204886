/**
 * Every feature as a table column: a header that is a button (selects the column for the
 * Inspector) with the label, type, model shape and a small chart of the column's statistics,
 * over the first rows drawn by type.
 */
import { Badge, Box, Group, ScrollArea, Skeleton, Text, UnstyledButton } from "@mantine/core";

import type { FeatureStats, Row } from "../../api/types";
import { CategoryBars } from "./charts/CategoryBars";
import { MiniHistogram } from "./charts/MiniHistogram";
import { SequenceLogo } from "./charts/SequenceLogo";
import { LETTER_PITCH, MAX_ALIGNED_WINDOW, windowWidth } from "./cells/SequenceLetters";
import { ValueCell } from "./cells/ValueCell";
import { isNumeric, shapeText, TYPE_LOOKS, type Column } from "./columns";

const CELL_PADDING = 20;

interface Props {
  columns: Column[];
  rows: Row[];
  stats: Record<string, FeatureStats> | undefined;
  statsLoading?: boolean;
  selected: string | null;
  onSelect: (name: string) => void;
  maxHeight?: number;
  /** Draw the statistics charts in the headers (off for the import preview). */
  charts?: boolean;
}

interface Layout {
  width: number; // px of the table column
  chartWidth: number; // px of the header chart
  /** Set when a sequence column draws its letters in the one-hot window (aligned with the logo). */
  longest?: number;
}

/** A column's width; sequence columns are as wide as their one-hot window, when that fits. */
function layoutOf(column: Column, stats: FeatureStats | undefined, rows: Row[]): Layout {
  const plain = { width: TYPE_LOOKS[column.type].width, chartWidth: TYPE_LOOKS[column.type].width - CELL_PADDING };
  const encoding = column.sequence;
  if (column.type !== "sequence" || !encoding) return plain;
  const padding = encoding.padding ?? 0;
  const window = column.tensorShape?.[1] ?? stats?.per_position?.window;
  const previewLongest = Math.max(1, ...rows.map((row) => String(row[column.name] ?? "").length));
  const longest = window !== undefined ? window - 2 * padding : (stats?.length?.max ?? previewLongest);
  const positions = windowWidth(encoding, longest);
  if (positions > MAX_ALIGNED_WINDOW) return plain;
  const chartWidth = positions * LETTER_PITCH;
  return { width: Math.max(chartWidth, 100) + CELL_PADDING, chartWidth, longest };
}

export function FeatureTable({ columns, rows, stats, statsLoading, selected, onSelect, maxHeight = 420, charts = true }: Props) {
  const layouts = columns.map((column) => layoutOf(column, stats?.[column.name], rows));
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto" offsetScrollbars>
      <table className="feature-table" aria-label="Features">
        <thead>
          <tr>
            <th style={{ width: 32 }} aria-label="Row" />
            {columns.map((column, i) => {
              const width = layouts[i]!.width;
              return (
                <th key={column.name} className={selected === column.name ? "selected" : undefined} style={{ width, minWidth: width }}>
                  <ColumnHead
                    column={column}
                    stats={stats?.[column.name]}
                    statsLoading={statsLoading}
                    width={layouts[i]!.chartWidth}
                    charts={charts}
                    selected={selected === column.name}
                    onSelect={() => onSelect(column.name)}
                  />
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td className="row-number">{i + 1}</td>
              {columns.map((column, c) => (
                <td
                  key={column.name}
                  className={[selected === column.name ? "selected" : "", isNumeric(column.type) ? "numeric" : ""].join(" ")}
                  onClick={() => onSelect(column.name)}
                >
                  <ValueCell column={column} value={row[column.name]} longest={layouts[c]!.longest} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea.Autosize>
  );
}

function ColumnHead({
  column,
  stats,
  statsLoading,
  width,
  selected,
  onSelect,
  charts,
}: {
  column: Column;
  stats: FeatureStats | undefined;
  statsLoading?: boolean;
  width: number;
  selected: boolean;
  onSelect: () => void;
  charts: boolean;
}) {
  const look = TYPE_LOOKS[column.type];
  // Scalars are 1 wide and classes are listed elsewhere: the shape says something for arrays only.
  const shape = column.type === "sequence" || column.type === "array" ? shapeText(column.tensorShape ?? column.shape) : null;
  return (
    <UnstyledButton className="column-head" onClick={onSelect} aria-pressed={selected} aria-label={`Column ${column.name}`} data-column={column.name}>
      <Text fw={650} size="sm" truncate>
        {column.name}
      </Text>
      <Group gap={6} wrap="nowrap" mt={2} mb={4}>
        <Badge size="xs" variant="light" color={look.color} radius="sm">
          {look.label}
        </Badge>
        {shape && (
          <Text size="xs" c="dimmed" title="Shape a model sees per example">
            {shape}
          </Text>
        )}
        {column.normalization !== "none" && (
          <Text size="xs" c="dimmed">
            {column.normalization === "zscore" ? "z-score" : "min-max"}
          </Text>
        )}
      </Group>
      {charts && (
        <Box h={40}>
          <HeaderChart column={column} stats={stats} loading={statsLoading} width={width} />
        </Box>
      )}
    </UnstyledButton>
  );
}

function HeaderChart({ column, stats, loading, width }: { column: Column; stats?: FeatureStats; loading?: boolean; width: number }) {
  if (!stats) return loading ? <Skeleton h={40} w={width} /> : null;
  if (stats.histogram) return <MiniHistogram counts={stats.histogram.counts} edges={stats.histogram.edges} width={width} />;
  if (stats.per_position) return <SequenceLogo fractions={stats.per_position.fractions} width={width} />;
  if (stats.counts && column.type !== "multilabel") return <CategoryBars counts={stats.counts} width={width} />;
  const summary = describeStats(stats);
  return (
    <Text size="xs" c="dimmed" pt={4}>
      {summary}
    </Text>
  );
}

function describeStats(stats: FeatureStats): string {
  if (stats.distinct !== undefined) return `${stats.distinct.toLocaleString("en-US")} distinct values`;
  if (stats.shape) return `values ${stats.min?.toPrecision(3)} to ${stats.max?.toPrecision(3)}`;
  if (stats.counts) return `${Object.keys(stats.counts).length} labels`;
  return `${stats.count.toLocaleString("en-US")} values`;
}

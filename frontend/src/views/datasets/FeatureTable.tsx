/**
 * Every feature as a table column: a header that is a button (selects the column for the
 * Inspector) with the label, type, model shape and a small chart of the column's statistics,
 * over rows drawn by type: a few given rows, or (the row browser) every row of a `RowSource`,
 * virtualized, each with its number and the features that cannot read it marked.
 */
import { Badge, Box, Group, ScrollArea, Skeleton, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";

import type { BrowsedRow, FeatureStats, Row } from "../../api/types";
import { CategoryBars } from "./charts/CategoryBars";
import { MiniHistogram } from "./charts/MiniHistogram";
import { SequenceLogo } from "./charts/SequenceLogo";
import { LETTER_PITCH, MAX_ALIGNED_WINDOW, windowWidth } from "./cells/SequenceLetters";
import { ValueCell } from "./cells/ValueCell";
import { isNumeric, shapeText, TYPE_LOOKS, type Column } from "./columns";

const CELL_PADDING = 20;

/** Every row of a draft or version, fetched as the table scrolls. */
export interface RowSource {
  count: number;
  /** The row at a position of the sorted, filtered list, once its page has arrived. */
  at: (index: number) => BrowsedRow | undefined;
  onRange: (first: number, last: number) => void;
  /** Scroll to this position (a new object each time it is asked). */
  scrollTo: { index: number } | null;
  /** The number of a row to mark (one an error named). */
  highlight: number | null;
}

const ROW_HEIGHT = 30; // px, the estimate before a row is measured

interface Props {
  columns: Column[];
  /** The rows shown when there is no `source`. */
  rows: Row[];
  source?: RowSource;
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
  // Nothing to size the window by (a draft that cannot be prepared, rows not here yet): letters as they come
  if (window === undefined && !stats?.length && rows.length === 0) return plain;
  const previewLongest = Math.max(1, ...rows.map((row) => String(row[column.name] ?? "").length));
  const longest = window !== undefined ? window - 2 * padding : (stats?.length?.max ?? previewLongest);
  const positions = windowWidth(encoding, longest);
  if (positions > MAX_ALIGNED_WINDOW) return plain;
  const chartWidth = positions * LETTER_PITCH;
  return { width: Math.max(chartWidth, 100) + CELL_PADDING, chartWidth, longest };
}

export function FeatureTable({ columns, rows, source, stats, statsLoading, selected, onSelect, maxHeight = 420, charts = true }: Props) {
  const layouts = columns.map((column) => layoutOf(column, stats?.[column.name], rows));
  const head = (
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
  );
  if (source) {
    return <VirtualRows source={source} head={head} columns={columns} layouts={layouts} selected={selected} onSelect={onSelect} height={maxHeight} />;
  }
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto" offsetScrollbars>
      <table className="feature-table" aria-label="Features">
        {head}
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

function VirtualRows({
  source,
  head,
  columns,
  layouts,
  selected,
  onSelect,
  height,
}: {
  source: RowSource;
  head: ReactNode;
  columns: Column[];
  layouts: Layout[];
  selected: string | null;
  onSelect: (name: string) => void;
  height: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: source.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => source.onRange(first, last), [first, last]);
  useEffect(() => {
    if (source.scrollTo && source.scrollTo.index < source.count) virtualizer.scrollToIndex(source.scrollTo.index, { align: "center" });
  }, [source.scrollTo, source.count]);
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <div ref={scroller} className="row-browser-scroll" style={{ height, overflow: "auto" }} tabIndex={0} aria-label="Rows">
      <table className="feature-table" aria-label="Features" aria-rowcount={source.count}>
        {head}
        <tbody>
          {before > 0 && <tr style={{ height: before }} aria-hidden />}
          {items.map((item) => {
            const row = source.at(item.index);
            const invalid = row ? Object.keys(row.invalid).length > 0 : false;
            const classes = [invalid ? "invalid-row" : "", row && row.number === source.highlight ? "highlight" : ""].join(" ");
            return (
              <tr key={item.key} data-index={item.index} ref={virtualizer.measureElement} data-row={row?.number} className={classes} aria-invalid={invalid || undefined}>
                <td className="row-number">{row?.number ?? ""}</td>
                {columns.map((column, c) => {
                  const why = row?.invalid[column.name];
                  const cellClasses = [selected === column.name ? "selected" : "", isNumeric(column.type) ? "numeric" : "", why ? "invalid" : ""];
                  return (
                    <td key={column.name} className={cellClasses.join(" ")} title={why} onClick={() => onSelect(column.name)}>
                      {row ? <ValueCell column={column} value={row.values[column.name]} longest={layouts[c]!.longest} /> : <Skeleton h={12} w={40} />}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {after > 0 && <tr style={{ height: after }} aria-hidden />}
        </tbody>
      </table>
    </div>
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

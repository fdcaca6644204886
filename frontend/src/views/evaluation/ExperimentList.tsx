/**
 * The project's experiments: a table the server searches, filters and sorts, fetched a page at a
 * time as it scrolls; it renders only the rows in view (fixed-height rows, spacers above and below
 * sized by the total), so thousands of experiments scroll smoothly. Rows open an experiment;
 * ticked rows are compared.
 */
import { Anchor, Badge, Box, Button, Card, Group, Loader, SegmentedControl, Stack, Text, TextInput, ThemeIcon, Title, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconArrowsSort, IconChartDots, IconChartLine, IconSearch, IconSortAscending, IconSortDescending } from "@tabler/icons-react";
import { useCallback, useEffect, useMemo, useRef, useState, type UIEvent } from "react";
import { Link, useNavigate } from "react-router";

import { formatMetric } from "../../format";
import { Inspector } from "../../shell/Inspector";
import { BestRangeFilter, rangeQuery, type BestRange } from "./BestRangeFilter";
import "./evaluation.css";
import type { components } from "../../api/schema";
import { useExperimentCounts, useExperimentPages, type ListQuery } from "./queries";
import { ExperimentRow, ROW_HEIGHT } from "./ExperimentRow";
import { ReferenceLinesButton } from "./ReferenceLines";

type ExperimentCounts = components["schemas"]["ExperimentCounts"];

const OVERSCAN = 8;

type SortKey = "name" | "status" | "progress" | "best" | "updated";
type Filter = "all" | "active" | "completed" | "failed" | "created";

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "active", label: "Running" },
  { value: "completed", label: "Completed" },
  { value: "failed", label: "Failed or stopped" },
  { value: "created", label: "Not run" },
];

const FILTER_STATUSES: Record<Filter, ListQuery["status"]> = {
  all: undefined,
  active: ["queued", "running", "evaluating"],
  completed: ["completed"],
  failed: ["failed", "stopped"],
  created: ["created"],
};

/**
 * The server's sort for a column and direction. "best" ascending is best first whatever the
 * metric (the server knows whether it is minimised or maximised); other keys sort by value.
 */
function serverSort(key: SortKey, direction: 1 | -1): string {
  return `${direction === 1 ? "" : "-"}${key}`;
}

/** The first click on a column: names and statuses A to Z, the best first, the rest newest or most first. */
function firstDirection(key: SortKey): 1 | -1 {
  return key === "name" || key === "status" || key === "best" ? 1 : -1;
}

export function ExperimentList({ projectId, base }: { projectId: string; base: string }) {
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query.trim(), 150);
  const [filter, setFilter] = useState<Filter>("all");
  const [sort, setSort] = useState<{ key: SortKey; direction: 1 | -1 }>({ key: "updated", direction: -1 });
  const counts = useExperimentCounts(projectId);
  const [range, setRange] = useState<BestRange>({ metric: "", min: null, max: null });
  const metric = range.metric || counts.data?.metric || "val_loss";
  // Debounced as text: the query changes when the range does, not at every render.
  const [bestRange] = useDebouncedValue(JSON.stringify(rangeQuery({ ...range, metric })), 300);
  const listQuery = useMemo(
    () => ({ q: debounced, status: FILTER_STATUSES[filter], sort: serverSort(sort.key, sort.direction), ...(JSON.parse(bestRange) as object) }),
    [debounced, filter, sort, bestRange],
  );
  const experiments = useExperimentPages(projectId, listQuery);
  const [selected, setSelected] = useState<string[]>([]);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);

  const rows = experiments.items;
  const monitored = useMemo(
    () => [...new Set([metric, ...rows.flatMap((e) => (e.best_metric ? [e.best_metric.name] : []))])].sort(),
    [metric, rows],
  );
  const everything = counts.data?.count ?? 0;
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!scroller) return;
    setViewport(scroller.clientHeight);
    const observer = new ResizeObserver(() => setViewport(scroller.clientHeight));
    observer.observe(scroller);
    return () => observer.disconnect();
  }, [scroller]);
  // Another search, filter or order is another list: show it from its top.
  const listed = `${debounced}|${filter}|${sort.key}|${sort.direction}|${bestRange}`;
  useEffect(() => {
    if (scroller) scroller.scrollTop = 0;
    setScrollTop(0);
  }, [listed, scroller]);
  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const top = event.currentTarget.scrollTop;
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(top));
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  // Fetch the next page when the rows in view come near the end of those loaded.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = experiments;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && last + OVERSCAN >= rows.length) void fetchNextPage();
  }, [last, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const toggle = useCallback((id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id])), []);
  const sortBy = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, direction: s.direction === 1 ? -1 : 1 } : { key, direction: firstDirection(key) }));
  const header = (key: SortKey, label: string, width?: number | string) => (
    <th style={{ width }} aria-sort={sort.key === key ? (sort.direction === 1 ? "ascending" : "descending") : "none"}>
      <UnstyledButton onClick={() => sortBy(key)} className="eval-sort">
        <Group gap={4} wrap="nowrap">
          {label}
          {sort.key === key ? (
            sort.direction === 1 ? <IconSortAscending size={14} /> : <IconSortDescending size={14} />
          ) : (
            <IconArrowsSort size={14} opacity={0.35} />
          )}
        </Group>
      </UnstyledButton>
    </th>
  );

  if (experiments.isLoading && counts.isLoading) return <Loader m="xl" />;
  if (!counts.isLoading && everything === 0) {
    return (
      <Stack align="center" justify="center" h="100%" p="xl">
        <Card withBorder radius="md" p="xl" maw={520}>
          <Stack align="center" gap="sm">
            <ThemeIcon size={56} radius="xl" variant="light">
              <IconChartDots size={30} />
            </ThemeIcon>
            <Title order={4}>No experiments yet</Title>
            <Text size="sm" c="dimmed" ta="center">
              Build a model in the Modeling view and press Run: its loss curves, predictions and errors appear here while it trains.
            </Text>
            <Group gap="xs">
              <Button component={Link} to={`/projects/${projectId}/modeling`} variant="light">
                Go to Modeling
              </Button>
              <ReferenceLinesButton projectId={projectId} />
            </Group>
          </Stack>
        </Card>
      </Stack>
    );
  }
  return (
    <Stack p="lg" gap="sm" style={{ flex: 1, minHeight: 0 }}>
      <ListSummary counts={counts.data} base={base} />
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap">
          <Title order={4}>Experiments</Title>
          <Badge variant="light" color="gray">
            {experiments.total === everything ? everything : `${experiments.total} of ${everything}`}
          </Badge>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <ReferenceLinesButton projectId={projectId} />
          <Button
            leftSection={<IconChartLine size={16} />}
            disabled={selected.length < 2}
            onClick={() => navigate(`${base}/compare?ids=${selected.map(encodeURIComponent).join(",")}`)}
          >
            Compare{selected.length ? ` (${selected.length})` : ""}
          </Button>
        </Group>
      </Group>
      <Group gap="sm" wrap="nowrap">
        <TextInput
          placeholder="Filter by name"
          aria-label="Filter experiments by name"
          leftSection={<IconSearch size={14} />}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          w={240}
          size="xs"
        />
        <SegmentedControl size="xs" value={filter} onChange={(v) => setFilter(v as Filter)} data={FILTERS} aria-label="Status" />
        <BestRangeFilter value={{ ...range, metric }} onChange={setRange} metrics={monitored} />
        {selected.length > 0 && (
          <Button size="xs" variant="subtle" onClick={() => setSelected([])}>
            Clear selection
          </Button>
        )}
      </Group>
      <Card withBorder radius="md" p={0} style={{ flex: 1, minHeight: 0, display: "flex" }}>
        <Box ref={setScroller} onScroll={onScroll} style={{ flex: 1, overflow: "auto" }} data-testid="experiment-scroller">
          <table className="eval-table" aria-label="Experiments" aria-rowcount={experiments.total + 1} aria-busy={experiments.isFetching}>
            <thead>
              <tr>
                <th style={{ width: 40 }} aria-label="Select" />
                {header("name", "Experiment")}
                {header("status", "Status", 130)}
                {header("progress", "Epochs", 150)}
                {header("best", "Best", 240)}
                {header("updated", "Changed", 130)}
              </tr>
            </thead>
            <tbody>
              {first > 0 && <tr aria-hidden style={{ height: first * ROW_HEIGHT }} />}
              {visible.map((e, i) => (
                <ExperimentRow
                  key={e.id}
                  experiment={e}
                  rowIndex={first + i + 2}
                  href={`${base}/${e.id}`}
                  selected={selected.includes(e.id)}
                  onOpen={navigate}
                  onToggle={toggle}
                />
              ))}
              {last < experiments.total && <tr aria-hidden style={{ height: (experiments.total - last) * ROW_HEIGHT }} />}
            </tbody>
          </table>
          {!experiments.isLoading && rows.length === 0 && (
            <Text size="sm" c="dimmed" p="md">
              No experiment matches.
            </Text>
          )}
        </Box>
      </Card>
    </Stack>
  );
}

/** The Inspector beside the list: how many experiments are where, and the best one so far. */
function ListSummary({ counts, base }: { counts: ExperimentCounts | undefined; base: string }) {
  const best = counts?.best ?? null;
  return (
    <Inspector title="Experiments">
      <Stack gap={6}>
        {Object.entries(counts?.statuses ?? {}).map(([status, count]) => (
          <Group key={status} justify="space-between">
            <Text size="sm" c="dimmed">
              {status}
            </Text>
            <Text size="sm">{count}</Text>
          </Group>
        ))}
      </Stack>
      {best?.best_metric && (
        <Text size="sm">
          Lowest validation loss:{" "}
          <Anchor component={Link} to={`${base}/${best.id}`} size="sm">
            {best.name}
          </Anchor>{" "}
          ({formatMetric(best.best_metric.value)})
        </Text>
      )}
      <Text size="xs" c="dimmed">
        Open an experiment for its curves and plots; tick two or more to compare them.
      </Text>
    </Inspector>
  );
}

/**
 * "Best <metric> between a and b": a button over the Evaluation list that opens the range and
 * shows it when set. The server filters (`best_metric`, `best_min`, `best_max`); an empty bound
 * is open. The metrics offered are those the project's experiments monitor, as far as loaded.
 */
import { Autocomplete, Button, Group, NumberInput, Popover, Stack, Text } from "@mantine/core";
import { IconAdjustmentsHorizontal } from "@tabler/icons-react";

import { metricLabel } from "./metrics";

export interface BestRange {
  metric: string;
  min: number | null;
  max: number | null;
}

export function isSet(range: BestRange): boolean {
  return Boolean(range.metric.trim()) && (range.min !== null || range.max !== null);
}

/** The list query's part for a range (nothing while it is not set). */
export function rangeQuery(range: BestRange): { best_metric?: string; best_min?: number; best_max?: number } {
  if (!isSet(range)) return {};
  return { best_metric: range.metric.trim(), best_min: range.min ?? undefined, best_max: range.max ?? undefined };
}

const bound = (value: string | number): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

function describe(range: BestRange): string {
  const name = metricLabel(range.metric.trim());
  // The bounds as typed: rounding them would show a range other than the one applied.
  if (range.min !== null && range.max !== null) return `${name} ${range.min} – ${range.max}`;
  return range.min !== null ? `${name} ≥ ${range.min}` : `${name} ≤ ${range.max}`;
}

interface Props {
  value: BestRange;
  onChange: (range: BestRange) => void;
  metrics: string[];
}

export function BestRangeFilter({ value, onChange, metrics }: Props) {
  const set = isSet(value);
  return (
    <Popover width={300} position="bottom-start" withArrow shadow="md" trapFocus>
      <Popover.Target>
        <Button
          size="xs"
          variant={set ? "light" : "default"}
          leftSection={<IconAdjustmentsHorizontal size={14} />}
          aria-label="Filter by best metric"
        >
          {set ? describe(value) : "Best between…"}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            Experiments whose best epoch's value of the metric lies in the range (an empty bound is open).
          </Text>
          <Autocomplete
            size="xs"
            label="Best"
            data={metrics}
            value={value.metric}
            onChange={(metric) => onChange({ ...value, metric })}
          />
          <Group gap="xs" grow>
            <NumberInput
              size="xs"
              label="between"
              data-autofocus
              hideControls
              value={value.min ?? ""}
              onChange={(min) => onChange({ ...value, min: bound(min) })}
            />
            <NumberInput
              size="xs"
              label="and"
              hideControls
              value={value.max ?? ""}
              onChange={(max) => onChange({ ...value, max: bound(max) })}
            />
          </Group>
          <Group justify="flex-end">
            <Button size="xs" variant="subtle" disabled={!set} onClick={() => onChange({ ...value, min: null, max: null })}>
              Clear
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

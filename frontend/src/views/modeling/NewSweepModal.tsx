/**
 * "Search around this model": a sweep whose trials are this experiment's graph and settings
 * with some values changed. The paper's search (`cuperus2017-search`) is one click; a custom
 * search picks numeric parameters of the graph's blocks or run settings and their values
 * ("a, b, none" to choose from, "low..high" for a range, optionally log-scaled).
 */
import { ActionIcon, Alert, Button, Checkbox, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";

import { errorMessage } from "../../api/client";
import type { SweepDimension } from "../../api/types";
import { useSpacePresets, useStartSweep } from "../sweeps/queries";
import type { Experiment } from "./queries";

const PAPER = "cuperus2017-search";
const SETTING_TARGETS = ["settings.optimizer.lr", "settings.batch_size", "settings.optimizer.weight_decay"];

interface Row {
  target: string | null;
  values: string;
  log: boolean;
}

interface Props {
  projectId: string;
  experiment: Experiment;
  opened: boolean;
  onClose: () => void;
}

/** Every numeric parameter of the graph's blocks, as `node.param`, then some run settings. */
function numericTargets(experiment: Experiment): string[] {
  const found: string[] = [];
  for (const node of experiment.graph.nodes) {
    for (const [param, value] of Object.entries(node.params ?? {})) {
      if (typeof value === "number") found.push(`${node.id}.${param}`);
    }
  }
  return [...found, ...SETTING_TARGETS];
}

const parseValue = (text: string): number | string | null =>
  text === "none" ? null : Number.isFinite(Number(text)) ? Number(text) : text;

/** A dimension from a row: "a, b" is categorical, "low..high" a range (int when both are). */
export function dimensionOf(row: Row): SweepDimension | string {
  if (!row.target) return "pick a parameter for every row";
  const name = row.target.replace(/^settings\./, "").replace(/[^A-Za-z0-9_]/g, "_");
  const range = row.values.split("..").map((v) => v.trim());
  if (range.length === 2) {
    const [low, high] = range.map(Number) as [number, number];
    if (!Number.isFinite(low) || !Number.isFinite(high)) return `${row.target}: a range is low..high`;
    const type = Number.isInteger(low) && Number.isInteger(high) && !row.log ? "int" : "float";
    return { name, type, low, high, log: row.log, targets: [row.target], values: null, step: null, repeat: null };
  }
  const values = row.values.split(",").map((v) => v.trim()).filter(Boolean).map(parseValue);
  if (values.length === 0) return `${row.target}: give values (a, b, none) or a range (low..high)`;
  return { name, type: "categorical", values, targets: [row.target], low: null, high: null, step: null, log: false, repeat: null };
}

export function NewSweepModal({ projectId, experiment, opened, onClose }: Props) {
  const presets = useSpacePresets();
  const start = useStartSweep(projectId);
  const navigate = useNavigate();
  const [mode, setMode] = useState<string>(PAPER);
  const [name, setName] = useState(`${experiment.name}-search`);
  const [trials, setTrials] = useState<number>(20);
  const [concurrency, setConcurrency] = useState<number>(1);
  const [epochs, setEpochs] = useState<number>(Number(experiment.settings.epochs ?? 10));
  const [pruner, setPruner] = useState<string>("median");
  const [rows, setRows] = useState<Row[]>([{ target: null, values: "", log: false }]);
  const [problem, setProblem] = useState<string | null>(null);
  const targets = numericTargets(experiment);
  const paper = presets.data?.data.find((p) => p.name === PAPER);

  const submit = () => {
    let space: string | { dimensions: SweepDimension[] } = PAPER;
    if (mode === "custom") {
      const made = rows.map(dimensionOf);
      const bad = made.find((d): d is string => typeof d === "string");
      if (bad) return setProblem(bad);
      space = { dimensions: made as SweepDimension[] };
    }
    setProblem(null);
    start.mutate(
      {
        name,
        base: { experiment: experiment.id, dataset: null, version: null, preset: null },
        space,
        budget: { trials, wall_time_s: null },
        concurrency,
        pruner: { name: pruner as "none" | "median" | "hyperband", startup_trials: 3, warmup_epochs: 1, min_epochs: 1, reduction_factor: 3 },
        settings: { epochs },
      },
      {
        onSuccess: (sweep) => {
          onClose();
          navigate(`/projects/${projectId}/sweeps/${sweep.id}`);
        },
        onError: (error) => setProblem(errorMessage(error)),
      },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Search around this model" size="lg">
      <Stack gap="sm">
        <TextInput label="Sweep name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <SegmentedControl
          value={mode}
          onChange={setMode}
          data={[
            { value: PAPER, label: "The paper's search" },
            { value: "custom", label: "Pick parameters" },
          ]}
        />
        {mode === PAPER ? (
          <Text size="sm" c="dimmed" data-testid="paper-space">
            {paper
              ? `${paper.title}: ${paper.dimensions.map((d) => d.name).join(", ")} on the ${paper.graph_preset} graph, trained with early stopping (patience 1).`
              : "Loading the preset…"}
          </Text>
        ) : (
          <Stack gap={6}>
            {rows.map((row, i) => (
              <Group key={i} gap="xs" wrap="nowrap" align="end">
                <Select
                  label={i === 0 ? "Parameter" : undefined}
                  aria-label={`Parameter ${i + 1}`}
                  searchable
                  data={targets}
                  value={row.target}
                  onChange={(target) => setRows(rows.map((r, j) => (j === i ? { ...r, target } : r)))}
                  w={220}
                />
                <TextInput
                  label={i === 0 ? "Values or range" : undefined}
                  aria-label={`Values ${i + 1}`}
                  placeholder="32, 64, 128  or  0.0001..0.01"
                  value={row.values}
                  onChange={(e) => {
                    const values = e.currentTarget.value;
                    setRows(rows.map((r, j) => (j === i ? { ...r, values } : r)));
                  }}
                  style={{ flex: 1 }}
                />
                <Checkbox
                  label="log"
                  checked={row.log}
                  onChange={(e) => {
                    const log = e.currentTarget.checked;
                    setRows(rows.map((r, j) => (j === i ? { ...r, log } : r)));
                  }}
                  mb={8}
                />
                <ActionIcon variant="subtle" color="gray" aria-label={`Remove parameter ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))} mb={4}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Group>
            ))}
            <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => setRows([...rows, { target: null, values: "", log: false }])} w="fit-content">
              Add parameter
            </Button>
          </Stack>
        )}
        <Group grow>
          <NumberInput label="Trials" min={1} max={10000} value={trials} onChange={(v) => setTrials(Number(v) || 1)} />
          <NumberInput label="At once" min={1} max={256} value={concurrency} onChange={(v) => setConcurrency(Number(v) || 1)} />
          <NumberInput label="Most epochs" min={1} value={epochs} onChange={(v) => setEpochs(Number(v) || 1)} />
          <Select
            label="Pruner"
            allowDeselect={false}
            value={pruner}
            onChange={(v) => setPruner(v ?? "none")}
            data={[
              { value: "none", label: "none" },
              { value: "median", label: "median" },
              { value: "hyperband", label: "Hyperband" },
            ]}
          />
        </Group>
        {problem && (
          <Alert color="red" data-testid="sweep-problem">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={start.isPending}>
            Start sweep
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

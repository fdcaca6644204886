/**
 * "New deployment": a completed experiment, one of its checkpoints (best, last or any epoch)
 * and an optional name. The answer carries the token, which the view then shows once.
 */
import { Alert, Button, Group, Modal, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle, IconRocket } from "@tabler/icons-react";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState, type FormEvent } from "react";

import { errorMessage } from "../../api/client";
import type { ExperimentSummary } from "../../api/types";
import { formatMetric } from "../../format";
import { useExperimentSearch } from "../../projects/queries";
import { PICKER_LIMIT } from "../shared/ExperimentPicker";
import { useCreateDeployment, useEpochs } from "./queries";
import type { DeploymentWithToken } from "./types";

interface Props {
  projectId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (deployment: DeploymentWithToken) => void;
}

export function NewDeploymentModal({ projectId, opened, onClose, onCreated }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={650}>New deployment</Text>} size="md">
      {opened && <NewDeploymentForm projectId={projectId} onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function NewDeploymentForm({ projectId, onClose, onCreated }: Omit<Props, "opened">) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 150);
  const [chosen, setChosen] = useState<ExperimentSummary | null>(null);
  // The select fills its search box with the chosen experiment's name: that is not a search.
  const q = debounced && debounced !== chosen?.name ? debounced : undefined;
  const experiments = useExperimentSearch(projectId, { q, status: ["completed"], sort: "-updated", limit: PICKER_LIMIT });
  const found = experiments.data?.data ?? [];
  const completed = chosen && !found.some((e) => e.id === chosen.id) ? [chosen, ...found] : found;
  const newest = q ? undefined : found[0];
  // The newest completed experiment is chosen until the user picks another.
  useEffect(() => {
    if (newest) setChosen((current) => current ?? newest);
  }, [newest]);
  const [checkpoint, setCheckpoint] = useState<string>("best");
  const [name, setName] = useState("");
  const [enabled, setEnabled] = useState(true);
  const create = useCreateDeployment(projectId);
  const epochs = useEpochs(projectId, chosen?.id ?? null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    create.mutate(
      {
        experiment: chosen.id,
        checkpoint: /^\d+$/.test(checkpoint) ? Number(checkpoint) : checkpoint,
        name: name.trim() || null,
        enabled,
      },
      { onSuccess: onCreated },
    );
  };

  if (!experiments.isLoading && !q && completed.length === 0) {
    return (
      <Stack>
        <Alert color="gray" variant="light" title="No completed experiment yet">
          A deployment serves a checkpoint of a finished experiment. Train one in the Modeling view, then come back here.
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        </Group>
      </Stack>
    );
  }
  const epochNumbers = (epochs.data?.data ?? []).map((e) => e.epoch);
  return (
    <form onSubmit={submit}>
      <Stack>
        <Select
          label="Experiment"
          description={
            (experiments.data?.count ?? 0) > PICKER_LIMIT
              ? `Completed experiments of this project: the ${PICKER_LIMIT} latest shown, type to search`
              : "Completed experiments of this project"
          }
          data={completed.map((e) => ({ value: e.id, label: e.name }))}
          value={chosen?.id ?? null}
          onChange={(value) => {
            setChosen(completed.find((e) => e.id === value) ?? null);
            setCheckpoint("best");
          }}
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          nothingFoundMessage="No completed experiment matches"
          renderOption={({ option }) => <ExperimentOption experiment={completed.find((e) => e.id === option.value)!} />}
          allowDeselect={false}
          searchable
          data-autofocus
        />
        <Select
          label="Checkpoint"
          description="The weights it serves; deploying copies them, so further training never changes its answers"
          data={checkpointOptions(chosen, epochNumbers)}
          value={checkpoint}
          onChange={(value) => value && setCheckpoint(value)}
          allowDeselect={false}
          disabled={!chosen}
        />
        <TextInput label="Name" placeholder={chosen?.name ?? ""} description="Default: the experiment's name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={200} />
        <Switch label="Answer requests at once" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        {create.error && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Not deployed">
            {errorMessage(create.error)}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" leftSection={<IconRocket size={16} />} loading={create.isPending} disabled={!chosen}>
            Deploy
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ExperimentOption({ experiment }: { experiment: ExperimentSummary }) {
  return (
    <Stack gap={0}>
      <Text size="sm">{experiment.name}</Text>
      <Text size="xs" c="dimmed">
        {experiment.epochs_done} epochs
        {experiment.best_metric && ` · best ${experiment.best_metric.name} ${formatMetric(experiment.best_metric.value)} (epoch ${experiment.best_metric.epoch})`}
      </Text>
    </Stack>
  );
}

function checkpointOptions(experiment: ExperimentSummary | null, epochs: number[]) {
  const best = experiment?.best_epoch ?? experiment?.best_metric?.epoch;
  const last = epochs.length ? Math.max(...epochs) : experiment?.epochs_done;
  return [
    {
      group: "Kept",
      items: [
        { value: "best", label: best ? `Best: epoch ${best}${experiment?.best_metric ? ` (${experiment.best_metric.name} ${formatMetric(experiment.best_metric.value)})` : ""}` : "Best" },
        { value: "last", label: last ? `Last: epoch ${last}` : "Last" },
      ],
    },
    { group: "Epochs", items: epochs.map((epoch) => ({ value: String(epoch), label: `Epoch ${epoch}` })) },
  ].filter((group) => group.items.length > 0);
}

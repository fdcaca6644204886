/**
 * The New-experiment wizard: a name, the dataset and version, the training and validation
 * subsets, then a blank canvas or a snippet (a preset such as the tutorial's model) bound to the
 * version's features.
 */
import { Alert, Badge, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Stepper, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconFile, IconTopologyStar3 } from "@tabler/icons-react";
import { useEffect, useMemo, useState, type ReactNode } from "react";

import { errorMessage } from "../../api/client";
import type { FeatureSpec } from "../../api/types";
import { formatNumber } from "../../format";
import { useTakenNames } from "../../projects/queries";
import { useDatasetSearch, useLatestDataset, type DatasetRecord } from "../datasets/queries";
import { PICKER_LIMIT, serverFiltered } from "../shared/ExperimentPicker";
import { useCreateFromWizard, usePresets, useVersionDetails, type Experiment } from "./queries";

interface Props {
  projectId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (experiment: Experiment) => void;
}

const BLANK = "";

function freeName(taken: Set<string>): string {
  let k = taken.size + 1;
  while (taken.has(`Experiment ${k}`)) k += 1;
  return `Experiment ${k}`;
}

// As the server picks them (`kozak.experiments.setup.validation_subset_of`): the exact name, else
// the first whose name says so ("Training 95%", "Validation 5%", "val").
const TRAINING_NAME = /\btrain(ing)?\b/i;
const VALIDATION_NAME = /\bval(id|idation)?\b/i;

export function subsetNamed(names: string[], exact: string, pattern: RegExp): string | undefined {
  return names.includes(exact) ? exact : names.find((n) => pattern.test(n));
}

export function NewExperimentModal({ projectId, opened, onClose, onCreated }: Props) {
  const newest = useLatestDataset(projectId);
  const [datasetSearch, setDatasetSearch] = useState("");
  const [searched] = useDebouncedValue(datasetSearch.trim(), 150);
  // A handful per project, but the picker asks the server for the matches rather than all.
  const found = useDatasetSearch(projectId, { q: searched || undefined, sort: "-created", limit: PICKER_LIMIT }, opened);
  const taken = useTakenNames(projectId, "Experiment", opened);
  const presets = usePresets();
  const create = useCreateFromWizard(projectId);
  const [step, setStep] = useState(0);
  const [name, setName] = useState("");
  const [dataset, setDataset] = useState<DatasetRecord | undefined>(undefined);
  const [versionId, setVersionId] = useState<string | null>(null);
  const [training, setTraining] = useState<string | null>(null);
  const [validation, setValidation] = useState<string>("");
  const [preset, setPreset] = useState<string>(BLANK);
  const [input, setInput] = useState<string | null>(null);
  const [target, setTarget] = useState<string | null>(null);

  const datasetOptions = useMemo(() => {
    const shown = new Map((found.data?.data ?? []).map((d) => [d.id, d]));
    if (dataset) shown.set(dataset.id, dataset);
    return [...shown.values()];
  }, [found.data, dataset]);
  const version = dataset?.versions.find((v) => v.id === versionId);
  const subsets = Object.keys(version?.subset_counts ?? {});
  const details = useVersionDetails(projectId, dataset?.id, version?.id);
  const features = ((details.data?.spec.features ?? []) as FeatureSpec[]).map((f) => ({ name: f.name, type: f.type }));

  // defaults once the lists arrive: the newest dataset and version, its training and validation subsets
  useEffect(() => {
    if (!opened) return;
    setName((current) => current || freeName(taken));
    if (!dataset && newest.latest) setDataset(newest.latest);
  }, [opened, taken, newest.latest]);
  useEffect(() => {
    if (dataset && !dataset.versions.some((v) => v.id === versionId)) setVersionId(dataset.versions[dataset.versions.length - 1]!.id);
  }, [dataset]);
  useEffect(() => {
    if (!version) return;
    const names = Object.keys(version.subset_counts);
    setTraining((t) => (t && names.includes(t) ? t : (subsetNamed(names, "training", TRAINING_NAME) ?? names[0] ?? null)));
    setValidation((v) => (v && names.includes(v) ? v : (subsetNamed(names, "validation", VALIDATION_NAME) ?? "")));
  }, [version]);

  const chosenPreset = presets.data?.data.find((p) => p.name === preset);
  const targetOptions = useMemo(
    () => features.filter((f) => f.type !== "sequence" && f.type !== "string").map((f) => ({ value: f.name, label: `${f.name} (${f.type})` })),
    [features],
  );
  const inputOptions = features.filter((f) => f.type === "sequence" || f.type === "array").map((f) => ({ value: f.name, label: `${f.name} (${f.type})` }));

  const close = () => {
    setStep(0);
    setName("");
    setPreset(BLANK);
    setInput(null);
    setTarget(null);
    create.reset();
    onClose();
  };

  const submit = () => {
    if (!dataset || !version || !training) return;
    create.mutate(
      {
        name: name.trim(),
        dataset: dataset.id,
        version: version.id,
        training_subset: training,
        validation_subset: validation || null,
        preset: preset || null,
        inputs: preset && input ? [input] : [],
        target: preset ? target : null,
        settings: {},
      },
      {
        onSuccess: (experiment) => {
          close();
          onCreated(experiment);
        },
      },
    );
  };

  const dataReady = Boolean(name.trim() && dataset && version && training);
  return (
    <Modal opened={opened} onClose={close} title="New experiment" size={step === 0 ? "lg" : "xl"}>
      <Stepper active={step} size="sm" mb="md" allowNextStepsSelect={false} onStepClick={setStep}>
        <Stepper.Step label="Dataset" description="Data and subsets" />
        <Stepper.Step label="Model" description="Blank or a snippet" />
      </Stepper>
      {step === 0 && (
        <Stack gap="sm">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          {newest.isSuccess && !newest.latest && (
            <Alert color="yellow" variant="light">
              This project has no saved dataset version yet. Save one in the Datasets view first.
            </Alert>
          )}
          <Group grow align="flex-start">
            <Select
              label="Dataset"
              searchable
              data={datasetOptions.map((d) => ({ value: d.id, label: d.name }))}
              value={dataset?.id ?? null}
              onChange={(id) => setDataset(datasetOptions.find((d) => d.id === id))}
              searchValue={datasetSearch}
              onSearchChange={setDatasetSearch}
              filter={serverFiltered}
              nothingFoundMessage="No dataset matches"
              allowDeselect={false}
            />
            <Select
              label="Version"
              data={(dataset?.versions ?? []).map((v) => ({ value: v.id, label: `${v.name} (${formatNumber(v.row_count)} rows)` }))}
              value={versionId}
              onChange={setVersionId}
              allowDeselect={false}
            />
          </Group>
          <Group grow align="flex-start">
            <Select
              label="Training subset"
              description="The rows the model learns from."
              data={subsets.map((s) => ({ value: s, label: `${s} (${formatNumber(version?.subset_counts[s])} rows)` }))}
              value={training}
              onChange={setTraining}
              allowDeselect={false}
            />
            <Select
              label="Validation subset"
              description="Evaluated after every epoch."
              data={[{ value: "", label: "None" }, ...subsets.map((s) => ({ value: s, label: `${s} (${formatNumber(version?.subset_counts[s])} rows)` }))]}
              value={validation}
              onChange={(v) => setValidation(v ?? "")}
              allowDeselect={false}
            />
          </Group>
          {version && !validation && (
            <Alert color="yellow" variant="light" data-testid="no-validation">
              No validation subset: the model is then judged only on the rows it learns from, so the curves cannot show
              overfitting. Choose one{subsets.length > 1 ? "" : " (this version has only one subset: add one in the Datasets view)"}.
            </Alert>
          )}
          {training && training === validation && (
            <Text size="xs" c="yellow.8">
              Training and validation are the same subset: validation will not tell you about overfitting.
            </Text>
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button disabled={!dataReady} onClick={() => setStep(1)}>
              Next
            </Button>
          </Group>
        </Stack>
      )}
      {step === 1 && (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Start from an empty canvas and add blocks yourself, or from a snippet: a published architecture, bound to this version's features and sequence length.
          </Text>
          <SimpleGrid cols={2} spacing="xs" role="radiogroup" aria-label="Start from">
            <Choice
              selected={preset === BLANK}
              onSelect={() => setPreset(BLANK)}
              title="Blank experiment"
              icon={<IconFile size={18} />}
              description="An empty canvas (with an Input for each sequence feature). Add blocks from the palette; each new block connects to the selected one."
            />
            {(presets.data?.data ?? []).map((p) => (
              <Choice
                key={p.name}
                selected={preset === p.name}
                onSelect={() => setPreset(p.name)}
                title={p.title}
                icon={<IconTopologyStar3 size={18} />}
                description={p.description}
                badges={[p.task, `${formatNumber(p.parameters)} parameters`]}
              />
            ))}
          </SimpleGrid>
          {chosenPreset && (
            <Group grow align="flex-start">
              <Select
                label="Input feature"
                description={`Feeds the snippet's input (default: a sequence feature of the version).`}
                data={inputOptions}
                value={input}
                onChange={setInput}
                clearable
                placeholder="Automatic"
              />
              <Select
                label="Target feature"
                description="What the model predicts (needed unless the version has the snippet's own)."
                data={targetOptions}
                value={target}
                onChange={setTarget}
                clearable
                placeholder="The snippet's own"
              />
            </Group>
          )}
          {create.error && (
            <Alert color="red" variant="light" title="The experiment was not created">
              {errorMessage(create.error)}
            </Alert>
          )}
          <Group justify="space-between" mt="sm">
            <Button variant="default" onClick={() => setStep(0)}>
              Back
            </Button>
            <Button onClick={submit} loading={create.isPending}>
              Create experiment
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

interface ChoiceProps {
  selected: boolean;
  onSelect: () => void;
  title: string;
  description: string;
  icon: ReactNode;
  badges?: string[];
}

function Choice({ selected, onSelect, title, description, icon, badges = [] }: ChoiceProps) {
  return (
    <UnstyledButton role="radio" aria-checked={selected} aria-label={title} onClick={onSelect}>
      <Card
        withBorder
        radius="md"
        p="sm"
        h="100%"
        className="hover-card"
        style={selected ? { borderColor: "var(--mantine-color-teal-6)", boxShadow: "0 0 0 2px var(--mantine-color-teal-light)" } : undefined}
      >
        <Group gap={8} wrap="nowrap" mb={4}>
          <Text c={selected ? "teal" : "dimmed"} style={{ display: "flex" }}>
            {icon}
          </Text>
          <Text size="sm" fw={600} lineClamp={2}>
            {title}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" lineClamp={3}>
          {description}
        </Text>
        {badges.length > 0 && (
          <Group gap={4} mt={6}>
            {badges.map((b) => (
              <Badge key={b} size="xs" variant="light" color="gray">
                {b}
              </Badge>
            ))}
          </Group>
        )}
      </Card>
    </UnstyledButton>
  );
}

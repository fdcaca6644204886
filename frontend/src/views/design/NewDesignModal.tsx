/**
 * "New design": the model(s), the start sequences (pasted FASTA/CSV/lines, rows of the
 * experiment's dataset version, or random), and the strategy, objective and constraints as forms
 * generated from the design settings' JSON Schema. The server checks everything at once and
 * answers with the queued design, or an error naming the row, letter or field.
 */
import { Alert, Button, Group, Modal, MultiSelect, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle, IconDna } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";

import { errorMessage } from "../../api/client";
import { useExperimentSearch } from "../../projects/queries";
import { SchemaField, type JsonSchema } from "../modeling/fields";
import { useCreateDesign, useDesignSchema, type DesignCreate, type DesignRecord, type DesignSchema } from "./queries";

const MODEL_CHOICES = 200;

interface Props {
  projectId: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (design: DesignRecord) => void;
}

export function NewDesignModal({ projectId, opened, onClose, onCreated }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={650}>New design</Text>} size="xl">
      {opened && <NewDesignForm projectId={projectId} onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

type Settings = Record<string, unknown>;
type Source = "text" | "dataset" | "random";

/** The properties of a `$ref`'d object of the settings schema (`#/$defs/Objective`). */
function defsOf(schema: JsonSchema, key: string): Record<string, JsonSchema> {
  const property = (schema.properties ?? {})[key] ?? {};
  const ref = property.$ref ?? (property.anyOf?.[0]?.$ref as string | undefined);
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  return ref ? (defs[ref.split("/").pop() ?? ""]?.properties ?? {}) : {};
}

const STRATEGY_FIELDS: Record<string, string[]> = {
  greedy: [],
  beam: ["beam_width"],
  annealing: ["proposals", "temperature"],
  gradient: ["proposals"],
};

function NewDesignForm({ projectId, onClose, onCreated }: Omit<Props, "opened">) {
  // The latest trained experiments, capped: a picker does not list a project's thousands.
  const experiments = useExperimentSearch(projectId, { status: ["completed"], sort: "-updated", limit: MODEL_CHOICES });
  const schema = useDesignSchema(projectId);
  const completed = experiments.data?.data ?? [];
  const [models, setModels] = useState<string[]>([]);
  const [name, setName] = useState("");
  const [source, setSource] = useState<Source>("text");
  const [text, setText] = useState("");
  const [pick, setPick] = useState<string>("spread");
  const [rankBy, setRankBy] = useState("");
  const [subset, setSubset] = useState("");
  const [count, setCount] = useState<number>(10);
  const [length, setLength] = useState<number | "">("");
  const [settings, setSettings] = useState<Settings | null>(null);
  const [motifs, setMotifs] = useState("");
  const create = useCreateDesign(projectId);

  if (!schema.data) return <Text size="sm">Loading…</Text>;
  const current: Settings = settings ?? (schema.data.defaults as unknown as Settings);
  const chosen = models.length ? models : completed.length ? [completed[completed.length - 1]!.id] : [];
  if (!experiments.isLoading && completed.length === 0) {
    return (
      <Alert color="gray" variant="light" title="No completed experiment yet">
        A design asks a trained model which sequences to make. Train one in the Modeling view first.
      </Alert>
    );
  }

  const setTop = (key: string, value: unknown) => setSettings({ ...current, [key]: value });
  const setNested = (group: string, key: string, value: unknown) =>
    setSettings({ ...current, [group]: { ...((current[group] as Settings | undefined) ?? {}), [key]: value } });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const constraints = { ...((current.constraints as Settings | undefined) ?? {}) };
    constraints.forbidden_motifs = motifs.split(/[\s,]+/).filter(Boolean);
    const starts: Record<string, unknown> = { source, count };
    if (source === "text") starts.text = text;
    if (source === "dataset") Object.assign(starts, { pick, rank_by: rankBy || null, subset: subset || null });
    if (source === "random" && length !== "") starts.length = length;
    const body = {
      name: name.trim() || null,
      experiments: chosen,
      settings: { ...current, constraints },
      starts,
    } as unknown as DesignCreate;
    create.mutate(body, { onSuccess: onCreated });
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="md">
        <SimpleGrid cols={2}>
          <TextInput label="Name" placeholder="design, design-2, …" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <MultiSelect
            label="Models"
            description="Several experiments make an ensemble: their mean is optimised, their spread reported."
            data={completed.map((e) => ({ value: e.id, label: e.name }))}
            value={chosen}
            onChange={setModels}
          />
        </SimpleGrid>
        <StartsFields
          source={source} setSource={setSource} text={text} setText={setText} pick={pick} setPick={setPick}
          rankBy={rankBy} setRankBy={setRankBy} subset={subset} setSubset={setSubset} count={count}
          setCount={setCount} length={length} setLength={setLength}
        />
        <SettingsFields
          schema={schema.data} settings={current} setTop={setTop} setNested={setNested} motifs={motifs} setMotifs={setMotifs}
        />
        {create.error && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} data-testid="design-error">
            {errorMessage(create.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" leftSection={<IconDna size={16} />} loading={create.isPending}>
            Run design
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface StartsProps {
  source: Source;
  setSource: (s: Source) => void;
  text: string;
  setText: (s: string) => void;
  pick: string;
  setPick: (s: string) => void;
  rankBy: string;
  setRankBy: (s: string) => void;
  subset: string;
  setSubset: (s: string) => void;
  count: number;
  setCount: (n: number) => void;
  length: number | "";
  setLength: (n: number | "") => void;
}

function StartsFields(p: StartsProps) {
  return (
    <Stack gap="xs">
      <Title order={6}>Start sequences</Title>
      <SegmentedControl
        aria-label="Start sequences from"
        data={[
          { value: "text", label: "Paste" },
          { value: "dataset", label: "From the dataset" },
          { value: "random", label: "Random" },
        ]}
        value={p.source}
        onChange={(v) => p.setSource(v as Source)}
      />
      {p.source === "text" && (
        <Textarea
          label="Sequences"
          description="FASTA, a CSV with a sequence column, or one sequence a line."
          autosize
          minRows={4}
          maxRows={12}
          styles={{ input: { fontFamily: "monospace" } }}
          value={p.text}
          onChange={(e) => p.setText(e.currentTarget.value)}
        />
      )}
      {p.source === "dataset" && (
        <SimpleGrid cols={4}>
          <Select label="Pick" data={["first", "top", "bottom", "spread", "random"]} value={p.pick} onChange={(v) => p.setPick(v ?? "first")} />
          <TextInput label="Rank by" placeholder="a numeric column" value={p.rankBy} onChange={(e) => p.setRankBy(e.currentTarget.value)} />
          <TextInput label="Subset" placeholder="all rows" value={p.subset} onChange={(e) => p.setSubset(e.currentTarget.value)} />
          <NumberInput label="How many" min={1} max={10000} value={p.count} onChange={(v) => p.setCount(Number(v) || 1)} />
        </SimpleGrid>
      )}
      {p.source === "random" && (
        <SimpleGrid cols={2}>
          <NumberInput label="How many" min={1} max={10000} value={p.count} onChange={(v) => p.setCount(Number(v) || 1)} />
          <NumberInput label="Length" placeholder="the model's window" min={1} value={p.length} onChange={(v) => p.setLength(v === "" ? "" : Number(v))} />
        </SimpleGrid>
      )}
    </Stack>
  );
}

interface SettingsProps {
  schema: DesignSchema;
  settings: Settings;
  setTop: (key: string, value: unknown) => void;
  setNested: (group: string, key: string, value: unknown) => void;
  motifs: string;
  setMotifs: (s: string) => void;
}

function SettingsFields({ schema, settings, setTop, setNested, motifs, setMotifs }: SettingsProps) {
  const root = schema.settings as JsonSchema;
  const properties = root.properties ?? {};
  const strategy = String(settings.strategy ?? "greedy");
  const objective = defsOf(root, "objective");
  const constraints = defsOf(root, "constraints");
  const objectiveValues = (settings.objective as Settings | undefined) ?? {};
  const constraintValues = (settings.constraints as Settings | undefined) ?? {};
  return (
    <SimpleGrid cols={3} spacing="lg">
      <Stack gap="xs">
        <Title order={6}>Search</Title>
        <Select
          label="Strategy"
          description={properties.strategy?.description}
          data={schema.strategies}
          value={strategy}
          onChange={(v) => setTop("strategy", v ?? "greedy")}
        />
        {["rounds", ...(STRATEGY_FIELDS[strategy] ?? []), "seed"].map((key) => (
          <SchemaField key={key} name={key} schema={properties[key] ?? {}} value={settings[key]} onChange={(v) => setTop(key, v)} />
        ))}
      </Stack>
      <Stack gap="xs">
        <Title order={6}>Objective</Title>
        {["goal", "target", "class_name", "value", "uncertainty_penalty"].map((key) => (
          <SchemaField key={key} name={key} schema={objective[key] ?? {}} value={objectiveValues[key]} onChange={(v) => setNested("objective", key, v)} />
        ))}
      </Stack>
      <Stack gap="xs">
        <Title order={6}>Constraints</Title>
        <TextInput
          label="Forbidden motifs"
          description={constraints.forbidden_motifs?.description}
          placeholder="e.g. ATG"
          value={motifs}
          onChange={(e) => setMotifs(e.currentTarget.value)}
        />
        {["fixed_positions", "gc_min", "gc_max", "max_edits", "min_distance"].map((key) => (
          <SchemaField key={key} name={key} schema={constraints[key] ?? {}} value={constraintValues[key]} onChange={(v) => setNested("constraints", key, v)} />
        ))}
      </Stack>
    </SimpleGrid>
  );
}

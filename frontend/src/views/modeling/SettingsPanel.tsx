/**
 * The Inspector's Settings tab: the data the experiment trains on and its run settings (batch
 * size, epochs, optimizer and its parameters, learning-rate schedule, early stopping, seed,
 * device, precision and what `auto` picks on this server), each field with the run-settings
 * schema's description and default.
 */
import { Autocomplete, Button, Divider, Group, SegmentedControl, Select, Stack, Text } from "@mantine/core";
import { IconRestore } from "@tabler/icons-react";
import type { ReactNode } from "react";

import { NumberField, SchemaField, type JsonSchema } from "./fields";
import { useAutoPrecision, type RunSettings } from "./queries";

interface Props {
  settings: RunSettings;
  schema: { json_schema: Record<string, unknown>; defaults: Record<string, unknown> };
  subsets: string[];
  dataLabel: ReactNode;
  readOnly: boolean;
  /** Problems the server found, by dotted setting (`optimizer.lr`). */
  errors: Record<string, string>;
  onChange: (settings: RunSettings) => void;
}

const PRECISIONS = [
  { value: "auto", label: "Auto" },
  { value: "fp32", label: "Float32" },
  { value: "bf16", label: "BFloat16" },
  { value: "fp16", label: "Float16" },
];
const ADAM_FAMILY = ["adam", "adamw", "adamax", "amsgrad", "nadam"];
const MONITORS = ["val_loss", "val_mse", "val_mae", "val_pearson_r2", "val_spearman_r", "val_accuracy", "val_auroc", "loss"];

type Path = [string] | [string, string];

export function SettingsPanel({ settings, schema, subsets, dataLabel, readOnly, errors, onChange }: Props) {
  const root = schema.json_schema as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const propertyOf = (path: Path): JsonSchema => {
    const top = root.properties?.[path[0]] ?? {};
    if (path.length === 1) return top;
    const ref = top.$ref?.split("/").pop();
    return (ref && root.$defs?.[ref]?.properties?.[path[1]]) || {};
  };
  const valueOf = (path: Path): unknown => {
    const top = settings[path[0]];
    return path.length === 1 ? top : (top as Record<string, unknown> | undefined)?.[path[1]];
  };
  const set = (path: Path, value: unknown) => {
    if (path.length === 1) return onChange({ ...settings, [path[0]]: value });
    const group = (settings[path[0]] ?? {}) as Record<string, unknown>;
    onChange({ ...settings, [path[0]]: { ...group, [path[1]]: value } });
  };
  const field = (path: Path, label: string, extra: { placeholder?: string } = {}) => (
    <SchemaField
      name={path[path.length - 1]!}
      schema={propertyOf(path)}
      value={valueOf(path)}
      onChange={(v) => set(path, v)}
      label={label}
      disabled={readOnly}
      error={errors[path.join(".")]}
      {...extra}
    />
  );
  const optimizer = String(valueOf(["optimizer", "name"]) ?? "adam");
  const schedule = String(valueOf(["schedule", "kind"]) ?? "constant");
  const stopping = valueOf(["early_stopping", "enabled"]) === true;
  const betas = (valueOf(["optimizer", "betas"]) as number[] | undefined) ?? [0.9, 0.999];
  const subsetOptions = subsets.map((s) => ({ value: s, label: s }));
  const autoChoices = useAutoPrecision().data?.data ?? [];
  const autoHere = autoChoices.find((c) => c.device === String(valueOf(["device"]) ?? "auto"));

  return (
    <Stack gap="sm" data-testid="settings-panel">
      <Section title="Data">
        <Text size="sm">{dataLabel}</Text>
        <Select
          label="Training subset"
          description={propertyOf(["training_subset"]).description}
          data={subsetOptions}
          value={String(valueOf(["training_subset"]) ?? "")}
          onChange={(v) => v && set(["training_subset"], v)}
          allowDeselect={false}
          disabled={readOnly}
        />
        <Select
          label="Validation subset"
          description={propertyOf(["validation_subset"]).description}
          data={[{ value: "", label: "None (no validation)" }, ...subsetOptions]}
          value={(valueOf(["validation_subset"]) as string | null) ?? ""}
          onChange={(v) => set(["validation_subset"], v ? v : null)}
          allowDeselect={false}
          disabled={readOnly}
        />
      </Section>
      <Section title="Training">
        <Group grow align="flex-start">
          {field(["batch_size"], "Batch size")}
          {field(["epochs"], "Epochs")}
        </Group>
      </Section>
      <Section title="Optimizer">
        {field(["optimizer", "name"], "Optimizer")}
        {field(["optimizer", "lr"], "Learning rate")}
        {ADAM_FAMILY.includes(optimizer) && (
          <>
            <Group grow align="flex-start">
              <NumberField
                label="Beta 1"
                integer={false}
                nullable={false}
                min={0}
                value={betas[0] ?? null}
                onChange={(v) => typeof v === "number" && set(["optimizer", "betas"], [v, betas[1]])}
                disabled={readOnly}
              />
              <NumberField
                label="Beta 2"
                integer={false}
                nullable={false}
                min={0}
                value={betas[1] ?? null}
                onChange={(v) => typeof v === "number" && set(["optimizer", "betas"], [betas[0], v])}
                disabled={readOnly}
              />
            </Group>
            <Text size="xs" c="dimmed" mt={-6}>
              {propertyOf(["optimizer", "betas"]).description}
            </Text>
            {field(["optimizer", "eps"], "Epsilon")}
          </>
        )}
        {(optimizer === "sgd" || optimizer === "rmsprop") && field(["optimizer", "momentum"], "Momentum")}
        {optimizer === "sgd" && field(["optimizer", "nesterov"], "Nesterov momentum")}
        {field(["optimizer", "weight_decay"], "Weight decay")}
      </Section>
      <Section title="Learning-rate schedule">
        {field(["schedule", "kind"], "Schedule")}
        {schedule === "step" && (
          <Group grow align="flex-start">
            {field(["schedule", "step_size"], "Step size")}
            {field(["schedule", "gamma"], "Gamma")}
          </Group>
        )}
        {schedule === "exponential" && field(["schedule", "gamma"], "Gamma")}
        {schedule === "cosine" && (
          <Group grow align="flex-start">
            {field(["schedule", "warmup_epochs"], "Warm-up epochs")}
            {field(["schedule", "min_lr"], "Lowest rate")}
          </Group>
        )}
        {schedule === "plateau" && (
          <>
            <Group grow align="flex-start">
              {field(["schedule", "factor"], "Factor")}
              {field(["schedule", "patience"], "Patience")}
            </Group>
            {field(["schedule", "min_lr"], "Lowest rate")}
          </>
        )}
      </Section>
      <Section title="Early stopping">
        {field(["early_stopping", "enabled"], "Stop early")}
        {stopping && (
          <>
            <Autocomplete
              label="Monitor"
              description={propertyOf(["early_stopping", "monitor"]).description}
              data={MONITORS}
              value={String(valueOf(["early_stopping", "monitor"]) ?? "")}
              onChange={(v) => set(["early_stopping", "monitor"], v)}
              disabled={readOnly}
            />
            {field(["early_stopping", "mode"], "Better is")}
            <Group grow align="flex-start">
              {field(["early_stopping", "patience"], "Patience")}
              {field(["early_stopping", "min_delta"], "Min. change")}
            </Group>
          </>
        )}
      </Section>
      <Section title="Hardware and reproducibility">
        {field(["device"], "Device")}
        <Stack gap={2}>
          <Text size="sm" fw={500}>
            Precision
          </Text>
          <SegmentedControl
            aria-label="Precision"
            size="xs"
            fullWidth
            data={PRECISIONS}
            value={String(valueOf(["precision"]) ?? "auto")}
            onChange={(v) => set(["precision"], v)}
            disabled={readOnly}
          />
          <Text size="xs" c="dimmed">
            {propertyOf(["precision"]).description}
          </Text>
          {autoHere && (
            <Text size="xs" data-testid="auto-precision">
              Auto on this server ({autoHere.device}): <b>{autoHere.precision}</b>, because {autoHere.reason}.
            </Text>
          )}
        </Stack>
        {field(["seed"], "Seed")}
        {field(["gradient_clip"], "Gradient clipping", { placeholder: "none" })}
        {field(["rc_augmentation"], "Reverse-complement augmentation")}
      </Section>
      {!readOnly && (
        <Button
          variant="subtle"
          size="xs"
          leftSection={<IconRestore size={14} />}
          onClick={() =>
            onChange({
              ...structuredClone(schema.defaults),
              training_subset: settings.training_subset,
              validation_subset: settings.validation_subset,
            })
          }
        >
          Reset to the defaults
        </Button>
      )}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <Divider label={title} labelPosition="left" styles={{ label: { fontWeight: 600, fontSize: 12 } }} />
      {children}
    </>
  );
}

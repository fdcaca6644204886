/**
 * The Inspector's Block tab: the selected block's name and params as a form generated from
 * its JSON Schema (help from the descriptions), its shapes, size and problems. Input and
 * Target blocks pick a dataset feature; Target also picks the loss.
 */
import { Alert, Badge, Button, Group, Select, SimpleGrid, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { IconAlertCircle, IconAlertTriangle, IconChevronDown, IconChevronRight, IconCopy, IconTrash } from "@tabler/icons-react";
import { useEffect, useState } from "react";

import { formatNumber } from "../../format";
import { localMessage } from "./BlockNode";
import { SchemaField, type FeatureOption, type JsonSchema } from "./fields";
import { formatShape, NODE_ID_PATTERN, type BlockNode } from "./graph";
import { lookOf } from "./looks";
import type { Block, Issue, Loss, NodeInfo } from "./queries";

export interface VersionFeature {
  name: string;
  type: string;
  shape?: number[] | null;
}

interface Props {
  node: BlockNode;
  block: Block | undefined;
  info: NodeInfo | undefined;
  issues: Issue[];
  features: VersionFeature[];
  losses: Loss[];
  readOnly: boolean;
  onParam: (name: string, value: unknown) => void;
  onParams: (params: Record<string, unknown>) => void;
  onRename: (id: string) => boolean;
  onCopy: () => void;
  onDelete: () => void;
}

const FEATURE_TYPE_LABELS: Record<string, string> = {
  sequence: "sequence",
  array: "array",
  float: "float",
  integer: "integer",
  categorical: "categorical",
  multilabel: "multi-label",
  string: "text",
};

function featureOptions(features: VersionFeature[]): FeatureOption[] {
  return features.map((f) => {
    const shape = f.type === "array" && f.shape?.length ? ` ${f.shape.join(" x ")}` : "";
    return { value: f.name, label: `${f.name} (${FEATURE_TYPE_LABELS[f.type] ?? f.type}${shape})` };
  });
}

export function BlockInspector({ node, block, info, issues, features, losses, readOnly, onParam, onParams, onRename, onCopy, onDelete }: Props) {
  const schema = (block?.params_schema ?? {}) as JsonSchema;
  const properties = Object.entries(schema.properties ?? {});
  const [advanced, setAdvanced] = useState(false);
  const look = lookOf(block?.category, node.data.type);
  const params = node.data.params;
  const main = properties.filter(([, p]) => (p.group ?? "Settings") === "Settings");
  const more = properties.filter(([, p]) => (p.group ?? "Settings") !== "Settings");
  const field = ([name, property]: [string, JsonSchema]) => {
    if (node.data.type === "target" && name === "loss") {
      return <LossField key={name} schema={property} value={params.loss} losses={losses} feature={features.find((f) => f.name === params.feature)} onChange={(v) => onParam("loss", v)} disabled={readOnly} />;
    }
    return (
      <SchemaField
        key={name}
        name={name}
        schema={property}
        value={params[name]}
        onChange={(v) => onParam(name, v)}
        disabled={readOnly}
        features={featureOptions(features)}
      />
    );
  };
  const inputShape = info?.input_shapes[0];
  return (
    <Stack gap="sm" data-testid="block-inspector">
      <Group gap={8} wrap="nowrap">
        <Badge color={look.color} variant="light" leftSection={<look.icon size={12} />}>
          {block?.display_name ?? node.data.type}
        </Badge>
        <Text size="xs" c="dimmed" truncate>
          {look.label}
        </Text>
      </Group>
      {block && (
        <Text size="xs" c="dimmed">
          {block.description}
        </Text>
      )}
      <NameField id={node.id} onRename={onRename} disabled={readOnly} />
      {issues.map((issue, i) => (
        <Alert
          key={i}
          color={issue.severity === "error" ? "red" : "yellow"}
          variant="light"
          p="xs"
          icon={issue.severity === "error" ? <IconAlertCircle size={16} /> : <IconAlertTriangle size={16} />}
        >
          <Text size="xs">{localMessage(issue.message, node.id)}</Text>
        </Alert>
      ))}
      {main.map(field)}
      {node.data.type === "input" && inputShape && inputShape.length === 2 && !readOnly && (
        <Alert variant="light" color="blue" p="xs">
          <Text size="xs" mb={6}>
            For 2D convolutions, see this {formatShape(inputShape)} feature as a {inputShape.join(" x ")} x 1 image (height x width x channels), as Peltarion does.
          </Text>
          <Button size="compact-xs" variant="light" onClick={() => onParams({ ...params, shape: [...inputShape, 1] })}>
            Use shape {inputShape.join(" x ")} x 1
          </Button>
        </Alert>
      )}
      {more.length > 0 && (
        <>
          <UnstyledButton onClick={() => setAdvanced((a) => !a)} aria-expanded={advanced}>
            <Group gap={4}>
              {advanced ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
              <Text size="sm" fw={500}>
                Advanced
              </Text>
              <Text size="xs" c="dimmed">
                {more.map(([name, p]) => p.display_name ?? name).join(", ")}
              </Text>
            </Group>
          </UnstyledButton>
          {advanced && more.map(field)}
        </>
      )}
      <SimpleGrid cols={3} spacing="xs" mt={4}>
        <Fact label="Output" value={formatShape(info?.output_shape)} testId="inspector-shape" />
        <Fact label="Parameters" value={info ? formatNumber(info.params) : "—"} />
        <Fact label="FLOPs" value={info ? compact(info.flops) : "—"} />
      </SimpleGrid>
      {!readOnly && (
        <Group gap="xs">
          <Button size="xs" variant="default" leftSection={<IconCopy size={14} />} onClick={onCopy}>
            Copy
          </Button>
          <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={onDelete}>
            Delete
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ff="monospace" data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/** 12,345,678 as 12.3 M. */
export function compact(value: number): string {
  if (value < 10_000) return value.toLocaleString("en-US");
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  const [size, unit] = units.find(([s]) => value >= s)!;
  return `${(value / size).toLocaleString("en-US", { maximumFractionDigits: value / size < 100 ? 1 : 0 })} ${unit}`;
}

function NameField({ id, onRename, disabled }: { id: string; onRename: (id: string) => boolean; disabled: boolean }) {
  const [value, setValue] = useState(id);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setValue(id);
    setError(null);
  }, [id]);
  const commit = () => {
    const next = value.trim();
    if (next === id) return setError(null);
    if (!NODE_ID_PATTERN.test(next)) return setError("A letter or _, then letters, digits, _ or -");
    if (!onRename(next)) return setError(`Another block is called ${next}`);
    setError(null);
  };
  return (
    <TextInput
      label="Name"
      size="xs"
      value={value}
      error={error}
      disabled={disabled}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") e.currentTarget.blur();
        if (e.key === "Escape") setValue(id);
      }}
    />
  );
}

function LossField({
  schema,
  value,
  losses,
  feature,
  onChange,
  disabled,
}: {
  schema: JsonSchema;
  value: unknown;
  losses: Loss[];
  feature: VersionFeature | undefined;
  onChange: (value: string) => void;
  disabled: boolean;
}) {
  const fits = (loss: Loss) => !feature || loss.feature_types.includes(feature.type);
  const fitting = losses.filter(fits);
  const others = losses.filter((l) => !fits(l));
  const data = [
    { group: feature ? `For ${FEATURE_TYPE_LABELS[feature.type] ?? feature.type} targets` : "Losses", items: fitting.map((l) => ({ value: l.name, label: l.display_name })) },
    ...(others.length ? [{ group: "Other", items: others.map((l) => ({ value: l.name, label: l.display_name })) }] : []),
  ];
  const chosen = losses.find((l) => l.name === value);
  return (
    <Stack gap={4}>
      <Select
        label={schema.display_name ?? "Loss function"}
        description={schema.description}
        data={data}
        value={typeof value === "string" ? value : null}
        onChange={(v) => v && onChange(v)}
        allowDeselect={false}
        disabled={disabled}
      />
      {chosen && (
        <Text size="xs" c="dimmed">
          {chosen.description} {chosen.activation_advice}
        </Text>
      )}
    </Stack>
  );
}

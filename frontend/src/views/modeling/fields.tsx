/**
 * Form fields generated from JSON Schema properties (a block's params, the run settings): the
 * label is the property's `display_name` or title, the help its description, the widget follows
 * the type (numbers, enums, booleans, integer lists, nullable values, dataset features).
 */
import { NumberInput, SegmentedControl, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useEffect, useState, type ReactNode } from "react";

export interface JsonSchema {
  type?: string;
  title?: string;
  display_name?: string;
  description?: string;
  default?: unknown;
  enum?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  group?: string;
  widget?: string;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

/** The non-null branch of `anyOf: [X, {type: null}]`, and whether null is allowed. */
export function unwrapNullable(schema: JsonSchema): { base: JsonSchema; nullable: boolean } {
  if (!schema.anyOf) return { base: schema, nullable: false };
  const others = schema.anyOf.filter((s) => s.type !== "null");
  const nullable = others.length < schema.anyOf.length;
  return { base: { ...schema, ...(others[0] ?? {}), anyOf: undefined }, nullable };
}

const WORDS: Record<string, string> = {
  relu: "ReLU",
  gelu: "GELU",
  elu: "ELU",
  sigmoid: "Sigmoid",
  softmax: "Softmax",
  tanh: "TanH",
  linear: "Linear",
  exp: "Exponential",
  softplus: "Softplus",
  valid: "Valid",
  same: "Same",
  max: "Max",
  avg: "Average",
  min: "Min",
  auto: "Auto",
  cpu: "CPU",
  cuda: "CUDA",
  adam: "Adam",
  adamw: "AdamW",
  adamax: "Adamax",
  amsgrad: "AMSgrad",
  nadam: "Nadam",
  adadelta: "Adadelta",
  adagrad: "Adagrad",
  rmsprop: "RMSprop",
  sgd: "SGD",
  constant: "Constant",
  step: "Step",
  exponential: "Exponential",
  cosine: "Cosine",
  plateau: "On plateau",
};

export function enumLabel(value: string): string {
  return WORDS[value] ?? value.charAt(0).toUpperCase() + value.slice(1).replaceAll("_", " ");
}

export function labelOf(name: string, schema: JsonSchema): string {
  return schema.display_name ?? schema.title ?? enumLabel(name);
}

export interface FeatureOption {
  value: string;
  label: string;
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  disabled?: boolean;
  label?: string;
  description?: ReactNode;
  features?: FeatureOption[];
  placeholder?: string;
  error?: string | null;
}

/** One field for one schema property. */
export function SchemaField({ name, schema, value, onChange, disabled, label, description, features, placeholder, error }: FieldProps) {
  const { base, nullable } = unwrapNullable(schema);
  const props = {
    label: label ?? labelOf(name, schema),
    description: description ?? schema.description,
    disabled,
    error: error ?? undefined,
  };
  if (base.widget === "feature" || schema.widget === "feature") {
    return (
      <Select
        {...props}
        data={features ?? []}
        value={typeof value === "string" ? value : null}
        onChange={(v) => onChange(v)}
        clearable={nullable}
        searchable
        placeholder="Pick a feature"
        nothingFoundMessage="No such feature"
      />
    );
  }
  if (base.enum) {
    const options = base.enum.map((v) => ({ value: v, label: enumLabel(v) }));
    if (options.length <= 3) {
      return (
        <Stack gap={2}>
          <Text size="sm" fw={500} component="label">
            {props.label}
          </Text>
          <SegmentedControl
            aria-label={props.label}
            size="xs"
            fullWidth
            data={options}
            value={typeof value === "string" ? value : String(base.default ?? "")}
            onChange={onChange}
            disabled={disabled}
          />
          {props.description && (
            <Text size="xs" c="dimmed">
              {props.description}
            </Text>
          )}
          {error && (
            <Text size="xs" c="red">
              {error}
            </Text>
          )}
        </Stack>
      );
    }
    return (
      <Select
        {...props}
        data={options}
        value={typeof value === "string" ? value : null}
        onChange={(v) => onChange(v ?? (nullable ? null : base.default))}
        allowDeselect={nullable}
      />
    );
  }
  if (base.type === "boolean") {
    return <Switch {...props} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
  }
  if (base.type === "integer" || base.type === "number") {
    return (
      <NumberField
        {...props}
        integer={base.type === "integer"}
        min={base.minimum}
        max={base.maximum}
        nullable={nullable}
        value={typeof value === "number" ? value : null}
        onChange={onChange}
        placeholder={placeholder ?? (nullable ? "none" : undefined)}
      />
    );
  }
  if (base.type === "array" && (base.items?.type === "integer" || base.prefixItems)) {
    return (
      <ListField
        {...props}
        nullable={nullable}
        value={Array.isArray(value) ? (value as number[]) : null}
        onChange={onChange}
        placeholder={placeholder ?? (nullable ? "none" : "e.g. 4, 70, 1")}
      />
    );
  }
  return (
    <TextInput
      {...props}
      value={typeof value === "string" ? value : ""}
      onChange={(e) => onChange(e.currentTarget.value || (nullable ? null : ""))}
    />
  );
}

interface NumberFieldProps {
  label: string;
  error?: string;
  description?: ReactNode;
  disabled?: boolean;
  integer: boolean;
  min?: number;
  max?: number;
  nullable: boolean;
  value: number | null;
  onChange: (value: number | null | undefined) => void;
  placeholder?: string;
}

/**
 * A number that is passed on only once it parses, so "0." on the way to "0.15" is not lost;
 * an empty field is null where the setting allows none, else left out (the server says so).
 */
export function NumberField({ integer, nullable, value, onChange, ...rest }: NumberFieldProps) {
  const [text, setText] = useState<number | string>(value ?? "");
  useEffect(() => {
    setText((current) => (Number(current) === value && current !== "" ? current : (value ?? "")));
  }, [value]);
  return (
    <NumberInput
      {...rest}
      value={text}
      allowDecimal={!integer}
      allowNegative={rest.min === undefined || rest.min < 0}
      clampBehavior="none"
      decimalScale={integer ? 0 : undefined}
      onChange={(next) => {
        setText(next);
        if (typeof next === "number") onChange(next);
        else if (next === "") onChange(nullable ? null : undefined);
      }}
    />
  );
}

interface ListFieldProps {
  label: string;
  error?: string;
  description?: ReactNode;
  disabled?: boolean;
  nullable: boolean;
  value: number[] | null;
  onChange: (value: number[] | null | undefined) => void;
  placeholder?: string;
}

const formatList = (value: number[] | null) => (value ? value.join(", ") : "");

/** Integers typed as "4, 70, 1" (or "4 x 70 x 1"). */
function ListField({ nullable, value, onChange, error: given, ...rest }: ListFieldProps) {
  const [text, setText] = useState(formatList(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((current) => (formatList(parseList(current)) === formatList(value) ? current : formatList(value)));
  }, [value]);
  return (
    <TextInput
      {...rest}
      value={text}
      error={error ?? given}
      onChange={(e) => {
        const next = e.currentTarget.value;
        setText(next);
        if (!next.trim()) {
          setError(null);
          onChange(nullable ? null : undefined);
          return;
        }
        const parsed = parseList(next);
        setError(parsed ? null : "Whole numbers separated by commas");
        if (parsed) onChange(parsed);
      }}
    />
  );
}

function parseList(text: string): number[] | null {
  const parts = text.split(/[\s,x×]+/).filter(Boolean);
  if (!parts.length || parts.some((p) => !/^-?\d+$/.test(p))) return null;
  return parts.map(Number);
}

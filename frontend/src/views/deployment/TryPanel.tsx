/**
 * The test form: one field per model input (a sequence box, numbers, category pickers), "Predict"
 * through the `try` endpoint, and the prediction as a number or as class probabilities.
 * The server's 422 (naming the row and feature) shows under the form and on that field until an
 * input changes. A sequence longer than the model's window is flagged as it is typed, and the
 * server's warnings (what it cut) show beside the prediction.
 */
import { Alert, Button, Card, Group, MultiSelect, NumberInput, Select, Stack, Text, Textarea, Title } from "@mantine/core";
import { IconAlertTriangle, IconArrowsShuffle, IconPlayerPlay } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";

import { ApiError, errorMessage } from "../../api/client";
import { PredictionView } from "./PredictionView";
import { useTryDeployment } from "./queries";
import { randomSequence } from "./snippets";
import { buildRow, cleanSequence, windowNote, type FieldValue, type FormValues } from "./testForm";
import type { DeploymentSchema, InputField } from "./types";

interface Props {
  projectId: string;
  deploymentId: string;
  schema: DeploymentSchema;
  values: FormValues;
  onChange: (name: string, value: FieldValue) => void;
}

export function TryPanel({ projectId, deploymentId, schema, values, onChange }: Props) {
  const trying = useTryDeployment(projectId, deploymentId);
  const [local, setLocal] = useState<Record<string, string>>({});
  const error = trying.error;
  const failedFeature = error instanceof ApiError && typeof error.details.feature === "string" ? error.details.feature : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { row, problems } = buildRow(schema.inputs, values);
    setLocal(problems);
    if (Object.keys(problems).length === 0) trying.mutate([row]);
  };
  const fieldError = (name: string) => local[name] ?? (failedFeature === name ? true : undefined);

  return (
    <Card withBorder radius="md" p="md" component="form" onSubmit={submit} aria-label="Test form">
      <Stack gap="sm">
        <div>
          <Title order={5}>Try it</Title>
          <Text size="xs" c="dimmed">
            A test call as a project member: no token needed, works while disabled, not counted in the usage.
          </Text>
        </div>
        {schema.inputs.map((field) => (
          <InputControl
            key={field.name}
            field={field}
            value={values[field.name] ?? null}
            error={fieldError(field.name)}
            onChange={(value) => {
              onChange(field.name, value);
              trying.reset(); // an answer (or refusal) of other inputs no longer applies
              setLocal(({ [field.name]: _, ...rest }) => rest);
            }}
          />
        ))}
        <Group gap="xs">
          <Button type="submit" leftSection={<IconPlayerPlay size={16} />} loading={trying.isPending}>
            Predict
          </Button>
        </Group>
        {error && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The model refused this input" data-testid="try-error">
            {errorMessage(error)}
          </Alert>
        )}
        {trying.data && !error && (
          <>
            <PredictionView outputs={schema.outputs} prediction={trying.data.rows[0] ?? {}} />
            {trying.data.warnings.length > 0 && (
              <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Predicted from a shortened input" data-testid="try-warnings">
                {trying.data.warnings.map((w) => w.message.replace(/^row \d+, /, "")).join("; ")}
              </Alert>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}

function InputControl({ field, value, error, onChange }: { field: InputField; value: FieldValue; error?: string | boolean; onChange: (value: FieldValue) => void }) {
  switch (field.type) {
    case "sequence": {
      const text = typeof value === "string" ? value : "";
      const letters = cleanSequence(text).length;
      const window = field.length ?? 0;
      const over = window > 0 && letters > window;
      const note = windowNote(field, letters);
      return (
        <div>
          <Textarea
            label={field.name}
            description={`${(field.alphabet ?? "dna").toUpperCase()} letters, any case · up to ${window} used, ${field.alignment ?? "left"}-aligned`}
            placeholder="Paste a sequence (FASTA headers and line breaks are ignored)"
            value={text}
            error={error}
            onChange={(event) => onChange(event.currentTarget.value)}
            autosize
            minRows={3}
            maxRows={8}
            spellCheck={false}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12, wordBreak: "break-all" } }}
            inputWrapperOrder={["label", "description", "input", "error"]}
            rightSectionWidth={88}
            rightSection={
              <Stack gap={2} align="flex-end" pr={6} style={{ alignSelf: "flex-start", paddingTop: 6 }}>
                <Text size="xs" c={over ? "orange" : "dimmed"} data-testid={`length-${field.name}`}>
                  {letters} / {window}
                </Text>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  leftSection={<IconArrowsShuffle size={12} />}
                  onClick={() => onChange(randomSequence(field))}
                  aria-label={`Random ${field.name}`}
                >
                  Random
                </Button>
              </Stack>
            }
          />
          {note && !error && (
            <Text size="xs" c="orange" mt={4} data-testid={`window-note-${field.name}`}>
              {note}
            </Text>
          )}
        </div>
      );
    }
    case "integer":
    case "float":
      return (
        <NumberInput
          label={field.name}
          description={field.stats ? `${field.type} · training range ${round(field.stats.min)} to ${round(field.stats.max)}` : field.type}
          value={typeof value === "number" ? value : ""}
          error={error}
          allowDecimal={field.type === "float"}
          onChange={(next) => onChange(typeof next === "number" ? next : null)}
        />
      );
    case "categorical":
      return (
        <Select
          label={field.name}
          description="category"
          data={field.categories ?? []}
          value={typeof value === "string" ? value : null}
          error={error}
          onChange={(next) => onChange(next)}
          allowDeselect={false}
        />
      );
    case "multilabel":
      return (
        <MultiSelect
          label={field.name}
          description="labels"
          data={field.categories ?? []}
          value={Array.isArray(value) ? value : []}
          error={error}
          onChange={(next) => onChange(next)}
        />
      );
    default:
      return (
        <Textarea
          label={field.name}
          description={`array of shape ${(field.shape ?? []).join(" × ")}, as nested JSON lists`}
          value={typeof value === "string" ? value : ""}
          error={error}
          onChange={(event) => onChange(event.currentTarget.value)}
          autosize
          minRows={2}
          maxRows={6}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
        />
      );
  }
}

function round(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

/** A prediction per target: a number in the target's units, several numbers, or class probabilities as bars. */
import { Group, Paper, Progress, Stack, Text } from "@mantine/core";

import { formatNumber } from "../../format";
import type { OutputField, Prediction } from "./types";

export function PredictionView({ outputs, prediction }: { outputs: OutputField[]; prediction: Prediction }) {
  const names = outputs.length ? outputs.map((o) => o.name) : Object.keys(prediction);
  return (
    <Stack gap="xs" data-testid="prediction">
      {names.map((name) => (
        <Paper key={name} withBorder radius="md" p="sm" bg="var(--mantine-color-teal-light)">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700} lts={0.5}>
            Predicted {name}
          </Text>
          <Value value={prediction[name]} name={name} />
        </Paper>
      ))}
    </Stack>
  );
}

function Value({ value, name }: { value: Prediction[string] | undefined; name: string }) {
  if (typeof value === "number") {
    return (
      <Text fz={28} fw={700} ff="monospace" data-testid={`prediction-${name}`} title={String(value)}>
        {formatNumber(value, 4)}
      </Text>
    );
  }
  if (Array.isArray(value)) {
    return (
      <Text ff="monospace" size="sm" data-testid={`prediction-${name}`}>
        {value.map((v) => formatNumber(v, 4)).join(", ")}
      </Text>
    );
  }
  if (value && typeof value === "object") {
    const classes = Object.entries(value).sort((a, b) => b[1] - a[1]);
    const top = classes[0]?.[0];
    return (
      <Stack gap={6} mt={4} data-testid={`prediction-${name}`}>
        {classes.map(([label, probability]) => (
          <div key={label}>
            <Group justify="space-between" gap="xs">
              <Text size="sm" fw={label === top ? 700 : 400}>
                {label}
              </Text>
              <Text size="sm" ff="monospace" c={label === top ? undefined : "dimmed"}>
                {(probability * 100).toFixed(1)} %
              </Text>
            </Group>
            <Progress value={probability * 100} size="md" color={label === top ? "teal" : "gray"} aria-label={`${label} probability`} />
          </div>
        ))}
      </Stack>
    );
  }
  return <Text c="dimmed">no value</Text>;
}

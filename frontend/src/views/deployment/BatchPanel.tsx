/**
 * "Predict many": a pasted list of sequences (one per line, or FASTA) or a file (CSV, TSV,
 * FASTA) through the `try` endpoint, the predictions as a table (inputs, predictions, what was
 * cut) and as a CSV to download. Other inputs of a sequence list take the test form's values.
 */
import { Alert, Button, Card, FileButton, Group, ScrollArea, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { IconAlertTriangle, IconDownload, IconFileUpload, IconPlayerPlay } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";

import { errorMessage } from "../../api/client";
import { formatNumber } from "../../format";
import { BatchError, fileBatch, MAX_BATCH_ROWS, predictionColumns, predictionsCsv, sequenceBatch, type Batch } from "./batch";
import { useTryDeployment } from "./queries";
import type { FormValues } from "./testForm";
import type { DeploymentSchema } from "./types";

interface Props {
  projectId: string;
  deploymentId: string;
  schema: DeploymentSchema;
  values: FormValues;
}

export function BatchPanel({ projectId, deploymentId, schema, values }: Props) {
  const trying = useTryDeployment(projectId, deploymentId);
  const [text, setText] = useState("");
  const [batch, setBatch] = useState<Batch | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const sequenceInput = schema.inputs.find((f) => f.type === "sequence");

  const predict = (made: () => Batch) => {
    trying.reset();
    setBatch(null);
    try {
      const next = made();
      if (next.rows.length > MAX_BATCH_ROWS) {
        throw new BatchError(`${formatNumber(next.rows.length)} rows; the form predicts at most ${formatNumber(MAX_BATCH_ROWS)} (use \`kozak predict\` or the API for more)`);
      }
      setProblem(null);
      setBatch(next);
      trying.mutate(next.rows);
    } catch (error) {
      setProblem(error instanceof BatchError ? error.message : String(error));
    }
  };
  const readFile = async (file: File | null) => {
    if (!file) return;
    const content = await file.text();
    predict(() => fileBatch(file.name, content, schema.inputs, values));
  };

  const answer = trying.data && batch ? trying.data : null;
  const csvUrl = useMemo(
    () => (answer && batch ? URL.createObjectURL(new Blob([predictionsCsv(batch, schema.inputs, answer.rows)], { type: "text/csv" })) : null),
    [answer, batch, schema.inputs],
  );
  useEffect(() => () => void (csvUrl && URL.revokeObjectURL(csvUrl)), [csvUrl]);

  return (
    <Card withBorder radius="md" p="md" aria-label="Predict many">
      <Stack gap="sm">
        <div>
          <Title order={5}>Predict many</Title>
          <Text size="xs" c="dimmed">
            Up to {formatNumber(MAX_BATCH_ROWS)} rows: paste sequences, or give a CSV or TSV with a column per input ({schema.inputs.map((f) => f.name).join(", ")}) or a FASTA file.
          </Text>
        </div>
        {sequenceInput && (
          <Textarea
            label={`${sequenceInput.name}, one per line`}
            placeholder={">name (optional FASTA headers)\nACGT…\nGATTACA…"}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            autosize
            minRows={3}
            maxRows={8}
            spellCheck={false}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
          />
        )}
        <Group gap="xs">
          {sequenceInput && (
            <Button leftSection={<IconPlayerPlay size={16} />} disabled={!text.trim()} loading={trying.isPending} onClick={() => predict(() => sequenceBatch(text, schema.inputs, values))}>
              Predict the list
            </Button>
          )}
          <FileButton onChange={(file) => void readFile(file)} accept=".csv,.tsv,.txt,.fa,.fasta,.fna,.faa,.ffn">
            {(props) => (
              <Button {...props} variant="default" leftSection={<IconFileUpload size={16} />} loading={trying.isPending && !sequenceInput}>
                Predict a file…
              </Button>
            )}
          </FileButton>
          {csvUrl && (
            <Button component="a" href={csvUrl} download="predictions.csv" variant="light" leftSection={<IconDownload size={16} />}>
              Download CSV
            </Button>
          )}
        </Group>
        {(problem || trying.error) && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Not predicted" data-testid="batch-error">
            {problem ?? errorMessage(trying.error)}
          </Alert>
        )}
        {answer && batch && <PredictionTable batch={batch} schema={schema} answer={answer} />}
      </Stack>
    </Card>
  );
}

function PredictionTable({ batch, schema, answer }: { batch: Batch; schema: DeploymentSchema; answer: NonNullable<ReturnType<typeof useTryDeployment>["data"]> }) {
  const columns = answer.rows[0] ? predictionColumns(answer.rows[0]) : [];
  const cut = new Map(answer.warnings.map((w) => [w.row, w.message.replace(/^row \d+, /, "")]));
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        {formatNumber(answer.rows.length)} predictions{cut.size ? ` · ${cut.size} sequence${cut.size > 1 ? "s" : ""} cut to the model's window` : ""}
      </Text>
      <ScrollArea.Autosize mah={360}>
        <Table striped withTableBorder fz="xs" verticalSpacing={2} data-testid="batch-predictions" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>name</Table.Th>
              {schema.inputs.map((f) => (
                <Table.Th key={f.name}>{f.name}</Table.Th>
              ))}
              {columns.map(([name]) => (
                <Table.Th key={name} ta="right">
                  {name}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {answer.rows.map((prediction, i) => (
              <Table.Tr key={i} data-row={i + 1}>
                <Table.Td c="dimmed">{i + 1}</Table.Td>
                <Table.Td>{batch.names[i]}</Table.Td>
                {schema.inputs.map((f) => (
                  <Table.Td key={f.name} ff="monospace" maw={220} style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={cut.get(i)}>
                    {cut.has(i) && <IconAlertTriangle size={12} color="var(--mantine-color-orange-6)" style={{ marginRight: 4 }} />}
                    {String(batch.rows[i]![f.name] ?? "")}
                  </Table.Td>
                ))}
                {columns.map(([name, read]) => (
                  <Table.Td key={name} ta="right" ff="monospace">
                    {formatNumber(Number(read(prediction)), 4)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

/**
 * The designs of a finished run: each design's letters with the edited ones highlighted against
 * its start, its prediction, gain and uncertainty; sortable; with CSV and FASTA downloads.
 */
import { Anchor, Group, Table, Text, TextInput, Tooltip, UnstyledButton } from "@mantine/core";
import { IconArrowsSort, IconDownload } from "@tabler/icons-react";
import { useMemo, useState } from "react";

import { exportUrl, type DesignedSequence } from "./queries";

type SortKey = "prediction" | "gain" | "uncertainty" | "edits";

const value = (d: DesignedSequence, key: SortKey): number =>
  key === "gain" ? d.prediction - d.start_prediction : key === "edits" ? d.edits.length : d[key];

/** The design's letters, the ones that differ from the start marked. */
export function EditedSequence({ start, sequence }: { start: string; sequence: string }) {
  return (
    <Text ff="monospace" size="xs" style={{ letterSpacing: 0.5, wordBreak: "break-all" }} data-testid="edited-sequence">
      {sequence.split("").map((letter, i) =>
        letter === start[i] ? (
          <span key={i}>{letter}</span>
        ) : (
          <Tooltip key={i} label={`${start[i]}${i + 1}${letter}`} openDelay={200}>
            <mark data-edit={`${start[i]}${i + 1}${letter}`} style={{ background: "#ffd8a8", fontWeight: 700, padding: 0 }}>
              {letter}
            </mark>
          </Tooltip>
        ),
      )}
    </Text>
  );
}

interface Props {
  projectId: string;
  designId: string;
  designs: DesignedSequence[];
  ensemble: boolean;
}

export function DesignTable({ projectId, designId, designs, ensemble }: Props) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "prediction", descending: true });
  const [prefix, setPrefix] = useState("");
  const [suffix, setSuffix] = useState("");
  const rows = useMemo(
    () => [...designs].sort((a, b) => (value(a, sort.key) - value(b, sort.key)) * (sort.descending ? -1 : 1)),
    [designs, sort],
  );
  const header = (key: SortKey, label: string) => (
    <Table.Th>
      <UnstyledButton
        onClick={() => setSort((s) => ({ key, descending: s.key === key ? !s.descending : true }))}
        aria-label={`sort by ${label}`}
      >
        <Group gap={4} wrap="nowrap">
          <Text size="sm" fw={600}>
            {label}
          </Text>
          <IconArrowsSort size={12} opacity={sort.key === key ? 1 : 0.4} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
  const letters = /^[A-Za-z]*$/;
  return (
    <>
      <Group gap="sm" align="end">
        <Anchor href={exportUrl(projectId, designId, "csv")} download size="sm">
          <Group gap={4}>
            <IconDownload size={14} /> CSV
          </Group>
        </Anchor>
        <TextInput size="xs" label="5′ flank" value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} error={!letters.test(prefix) && "letters only"} w={140} />
        <TextInput size="xs" label="3′ flank" value={suffix} onChange={(e) => setSuffix(e.currentTarget.value)} error={!letters.test(suffix) && "letters only"} w={140} />
        <Anchor href={exportUrl(projectId, designId, "fasta", prefix, suffix)} download size="sm">
          <Group gap={4}>
            <IconDownload size={14} /> FASTA to order
          </Group>
        </Anchor>
      </Group>
      <Table striped highlightOnHover data-testid="design-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Design (edits highlighted)</Table.Th>
            {header("edits", "Edits")}
            <Table.Th>Start</Table.Th>
            {header("prediction", "Prediction")}
            {header("gain", "Gain")}
            {ensemble && header("uncertainty", "Uncertainty")}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr key={d.index}>
              <Table.Td>
                <Text size="xs">{d.name}</Text>
              </Table.Td>
              <Table.Td>
                <EditedSequence start={d.start} sequence={d.sequence} />
              </Table.Td>
              <Table.Td>{d.edits.length}</Table.Td>
              <Table.Td>{d.start_prediction.toFixed(3)}</Table.Td>
              <Table.Td fw={600}>{d.prediction.toFixed(3)}</Table.Td>
              <Table.Td>{(d.prediction - d.start_prediction).toFixed(3)}</Table.Td>
              {ensemble && <Table.Td>{d.uncertainty.toFixed(3)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

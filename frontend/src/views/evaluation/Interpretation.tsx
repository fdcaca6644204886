/**
 * What the model learned, below its evaluation: a "Filters" tab (the first convolution's
 * filters as motif logos, ranked by influence, with sites, bits and correlation) and a "Motif
 * effects" tab (a motif written at every position of sample sequences: the mean predicted effect
 * by position, coloured by frame relative to the start codon). Logos are SVG drawn by the server
 * (logomaker); shown as images, never as markup: in the table at a readable height, and large in
 * a dialog when one is clicked.
 */
import { Card, Group, Loader, Modal, Stack, Table, Tabs, Text, TextInput, Title, UnstyledButton } from "@mantine/core";
import { useState } from "react";

import { errorMessage } from "../../api/client";
import { axisName, EvalChart, tooltip, type ChartOption } from "./chart";
import { useFilterMotifs, useMotifEffects, type EffectTable, type FilterMotifs, type MotifEffects } from "./interpretQueries";
import type { Checkpoint, Experiment } from "./queries";

const FRAME_COLORS = ["#2f9e44", "#d6336c", "#f08c00"];
// Logo heights in pixels (the SVG keeps its aspect: its width grows with the filter's): in the
// table, readable beside its row; enlarged, as wide as the dialog allows.
const LOGO_HEIGHT = { table: 80, large: 260 };

type Motif = FilterMotifs["motifs"][number];

function logoSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function signed(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value >= 0 ? "+" : ""}${value.toPrecision(3)}`;
}

function consensus(probabilities: number[][], letters: string): string {
  const width = probabilities[0]?.length ?? 0;
  return Array.from({ length: width }, (_, j) => {
    let best = 0;
    probabilities.forEach((row, i) => {
      if ((row[j] ?? 0) > (probabilities[best]?.[j] ?? 0)) best = i;
    });
    return letters[best] ?? "?";
  }).join("");
}

export function Interpretation({ projectId, experiment, checkpoint }: { projectId: string; experiment: Experiment; checkpoint: Checkpoint }) {
  const [tab, setTab] = useState<string | null>(null);
  return (
    <Stack gap="xs" data-testid="interpretation">
      <Title order={5}>Interpretation</Title>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="filters">Filters</Tabs.Tab>
          <Tabs.Tab value="effects">Motif effects</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="filters" pt="sm">
          <FiltersTab projectId={projectId} experimentId={experiment.id} checkpoint={checkpoint} />
        </Tabs.Panel>
        <Tabs.Panel value="effects" pt="sm">
          <EffectsTab projectId={projectId} experimentId={experiment.id} checkpoint={checkpoint} />
        </Tabs.Panel>
      </Tabs>
      {tab === null && (
        <Text size="sm" c="dimmed">
          Open a tab to read the model's first-layer filters as motifs, or a motif's effect by position and frame (a few seconds each).
        </Text>
      )}
    </Stack>
  );
}

function Waiting({ what }: { what: string }) {
  return (
    <Group gap="xs" p="md">
      <Loader size="xs" />
      <Text size="sm" c="dimmed">
        {what}
      </Text>
    </Group>
  );
}

function FiltersTab({ projectId, experimentId, checkpoint }: { projectId: string; experimentId: string; checkpoint: Checkpoint }) {
  const filters = useFilterMotifs(projectId, experimentId, checkpoint, true);
  if (filters.isLoading) return <Waiting what="Reading the filters on the validation sequences…" />;
  if (filters.isError) return <Text size="sm" c="dimmed">{errorMessage(filters.error)}</Text>;
  if (!filters.data) return null;
  return <FilterTable analysis={filters.data} />;
}

function FilterTable({ analysis }: { analysis: FilterMotifs }) {
  const [enlarged, setEnlarged] = useState<Motif | null>(null);
  const logos = analysis.logos ?? {};
  const ranked = analysis.motifs.filter((m) => logos[m.name] !== undefined);
  const rows = [...ranked].sort((a, b) => (b.influence_abs ?? 0) - (a.influence_abs ?? 0));
  const silent = analysis.motifs.filter((m) => m.sites === 0).length;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {analysis.layer}: {analysis.motifs.length} filters, {analysis.width} wide, read on {analysis.sequences} sequences; the {rows.length} most
        influential below (click a logo to enlarge it). Δ: mean change of {analysis.output} when the filter is zeroed; r: correlation of its
        largest activation with the measured value.{silent > 0 ? ` ${silent} filters never fired.` : ""}
      </Text>
      <Table withTableBorder striped verticalSpacing={4} data-testid="filter-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Filter</Table.Th>
            <Table.Th>Logo (bits)</Table.Th>
            <Table.Th>Consensus</Table.Th>
            <Table.Th ta="right">Sites</Table.Th>
            <Table.Th ta="right">Bits</Table.Th>
            <Table.Th ta="right">Δ</Table.Th>
            <Table.Th ta="right">r</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((motif) => (
            <Table.Tr key={motif.name} data-filter={motif.name}>
              <Table.Td>{motif.name}</Table.Td>
              <Table.Td>
                <UnstyledButton aria-label={`Enlarge the logo of ${motif.name}`} style={{ cursor: "zoom-in" }} onClick={() => setEnlarged(motif)}>
                  <img alt={`logo of ${motif.name}`} height={LOGO_HEIGHT.table} src={logoSource(logos[motif.name] ?? "")} />
                </UnstyledButton>
              </Table.Td>
              <Table.Td ff="monospace">{consensus(motif.probabilities, analysis.letters)}</Table.Td>
              <Table.Td ta="right">{motif.sites}</Table.Td>
              <Table.Td ta="right">{motif.information_total.toFixed(2)}</Table.Td>
              <Table.Td ta="right">{signed(motif.influence)}</Table.Td>
              <Table.Td ta="right">{signed(motif.correlation)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={enlarged !== null} onClose={() => setEnlarged(null)} title={enlarged ? `Filter ${enlarged.name}` : ""} size="auto" centered>
        {enlarged && (
          <Stack gap="xs">
            <img
              alt={`large logo of ${enlarged.name}`}
              style={{ height: LOGO_HEIGHT.large, maxWidth: "85vw", objectFit: "contain" }}
              src={logoSource(logos[enlarged.name] ?? "")}
            />
            <Text size="sm" c="dimmed">
              Consensus <Text span ff="monospace">{consensus(enlarged.probabilities, analysis.letters)}</Text> · {enlarged.sites} sites ·{" "}
              {enlarged.information_total.toFixed(2)} bits · Δ {signed(enlarged.influence)} · r {signed(enlarged.correlation)}
            </Text>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function EffectsTab({ projectId, experimentId, checkpoint }: { projectId: string; experimentId: string; checkpoint: Checkpoint }) {
  const [draft, setDraft] = useState("ATG");
  const [motif, setMotif] = useState("ATG");
  const effects = useMotifEffects(projectId, experimentId, checkpoint, motif, true);
  return (
    <Stack gap="xs">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setMotif(draft.trim().toUpperCase());
        }}
      >
        <TextInput size="xs" w={220} label="Motif (press Enter)" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} />
      </form>
      {effects.isLoading && <Waiting what={`Writing ${motif} at every position of the sample…`} />}
      {effects.isError && (
        <Text size="sm" c="red">
          {errorMessage(effects.error)}
        </Text>
      )}
      {effects.data && <EffectCharts effects={effects.data} />}
    </Stack>
  );
}

function EffectCharts({ effects }: { effects: MotifEffects }) {
  const frames = effects.insertion.frames.map((f) => `frame ${f.frame}${f.frame === 0 ? " (in frame)" : ""} ${signed(f.mean)}`).join(" · ");
  return (
    <Card withBorder radius="md" p="sm">
      <Text size="sm" data-testid="motif-effect-summary">
        {effects.motif} in {effects.sequences} sequences: mean effect on {effects.output} {signed(effects.insertion.mean)} ({frames})
        {effects.deletion ? `; deleted where present ${signed(effects.deletion.mean)}` : ""}
      </Text>
      <EffectChart table={effects.insertion} title={`${effects.motif} inserted`} coordinates={effects.coordinates} />
      {effects.deletion && <EffectChart table={effects.deletion} title={`${effects.motif} deleted`} coordinates={effects.coordinates} />}
    </Card>
  );
}

function EffectChart({ table, title, coordinates }: { table: EffectTable; title: string; coordinates: string }) {
  const byFrame = new Map<number, number[][]>();
  for (const p of table.positions) {
    const frame = p.frame ?? 0;
    byFrame.set(frame, [...(byFrame.get(frame) ?? []), [p.position, p.mean, p.count]]);
  }
  const option: ChartOption = {
    grid: { left: 56, right: 16, top: 28, bottom: 40 },
    legend: { top: 0, right: 0, textStyle: { fontSize: 11 } },
    tooltip: { ...tooltip, trigger: "item", formatter: (p: { seriesName: string; value: number[] }) => `${p.seriesName}<br/>position ${p.value[0]}: ${signed(p.value[1])} (${p.value[2]} variants)` },
    xAxis: { type: "value", name: coordinates === "start codon" ? "position from the start codon" : "position", nameLocation: "middle", nameGap: 24, nameTextStyle: axisName, scale: true },
    yAxis: { type: "value", name: "mean effect", nameTextStyle: axisName, scale: true },
    series: [...byFrame.entries()]
      .sort(([a], [b]) => a - b)
      .map(([frame, data]) => ({
        type: "scatter",
        name: `frame ${frame}${frame === 0 ? " (in frame)" : ""}`,
        data,
        symbolSize: 7,
        itemStyle: { color: FRAME_COLORS[frame] ?? "#495057" },
        markLine: frame === 0 ? { silent: true, symbol: "none", data: [{ yAxis: 0 }], lineStyle: { color: "#adb5bd" } } : undefined,
      })),
  };
  return (
    <Stack gap={0} mt="xs">
      <Text size="xs" fw={600}>
        {title} ({table.count} variants)
      </Text>
      <EvalChart option={option} height={240} label={`${title}: mean effect by position`} data={{ "data-points": table.positions.length }} />
    </Stack>
  );
}

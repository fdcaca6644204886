/**
 * One experiment in the Modeling view: the block palette, the canvas, the YAML panel and, in
 * the Inspector, the selected block's form and the run settings.
 *
 * The canvas is the source of truth while editing. A moment after each change the server checks
 * the graph against the dataset version (shapes, parameters, FLOPs, problems, drawn on the
 * blocks) and the graph and settings are saved; Run saves what is left and queues training.
 * Block positions are the canvas's own and are kept in the browser. The parts live beside this
 * file: `useServerCheck`, `useAutosave`, `useGraphEdits`, `useEditorKeys`, `useRunActions`,
 * `positions`, and the components `EditorToolbar`, `GraphCanvas`, `CheckSummary`, `EditorInspector`.
 */
import "@xyflow/react/dist/style.css";
import "./modeling.css";

import { Alert, Box, Button, Group, Text, useComputedColorScheme } from "@mantine/core";
import { IconCopyPlus } from "@tabler/icons-react";
import { ReactFlowProvider, useReactFlow, type XYPosition } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";

import { errorMessage } from "../../api/client";
import type { Project } from "../../api/types";
import { formatNumber } from "../../format";
import { notifyError } from "../../shell/notify";
import { useDatasetOfVersion } from "../datasets/queries";
import type { VersionFeature } from "./BlockInspector";
import { CanvasFactsContext } from "./BlockNode";
import { Totals } from "./CheckSummary";
import { EditorInspector } from "./EditorInspector";
import { EditorToolbar } from "./EditorToolbar";
import { autoLayout, docOf, renameNode, specOf, type BlockNode } from "./graph";
import { fitReadable } from "./fit";
import { GraphCanvas } from "./GraphCanvas";
import { useDocHistory } from "./history";
import { NewSweepModal } from "./NewSweepModal";
import { Palette } from "./Palette";
import { loadPositions, useStoredPositions } from "./positions";
import { useBlocks, useExperiment, useLosses, useRunSettingsSchema, useVersionDetails, type Block, type Experiment, type Loss, type RunSettings } from "./queries";
import { useAutosave } from "./useAutosave";
import { useEditorKeys } from "./useEditorKeys";
import { useGraphEdits } from "./useGraphEdits";
import { useRunActions } from "./useRunActions";
import { useServerCheck } from "./useServerCheck";
import { YamlPanel } from "./YamlPanel";

interface EditorProps {
  project: Project;
  experimentId: string;
  onNew: () => void;
}

export function ExperimentEditor({ project, experimentId, onNew }: EditorProps) {
  const experiment = useExperiment(project.id, experimentId);
  const blocks = useBlocks();
  const runSchema = useRunSettingsSchema();
  const losses = useLosses();
  const failed = experiment.error ?? blocks.error ?? runSchema.error;
  if (failed) {
    return (
      <Alert color="red" m="lg" title="This experiment cannot be opened">
        {errorMessage(failed)}
      </Alert>
    );
  }
  if (!experiment.data || !blocks.data || !runSchema.data) return null;
  return (
    <ReactFlowProvider key={experimentId}>
      <Editor
        project={project}
        experiment={experiment.data}
        blocks={blocks.data.data}
        runSchema={runSchema.data}
        losses={losses.data?.data ?? []}
        onNew={onNew}
      />
    </ReactFlowProvider>
  );
}

interface Props {
  project: Project;
  experiment: Experiment;
  blocks: Block[];
  runSchema: { json_schema: Record<string, unknown>; defaults: Record<string, unknown> };
  losses: Loss[];
  onNew: () => void;
}

function Editor({ project, experiment, blocks, runSchema, losses, onNew }: Props) {
  const flow = useReactFlow<BlockNode>();
  const scheme = useComputedColorScheme("light");
  const canvasRef = useRef<HTMLDivElement>(null);
  const readOnly = project.role === "viewer" || experiment.status !== "created";
  const catalog = useMemo(() => new Map(blocks.map((b) => [b.type, b])), [blocks]);
  const history = useDocHistory(() => docOf(experiment.graph, loadPositions(experiment.id)));
  const { doc, commit, set } = history;
  const [settings, setSettings] = useState<RunSettings>(experiment.settings);
  const [tab, setTab] = useState<string | null>("block");
  const [yamlOpen, setYamlOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);

  // ---- the data it trains on --------------------------------------------------------------
  const { dataset, version } = useDatasetOfVersion(project.id, experiment.dataset_version_id);
  const details = useVersionDetails(project.id, dataset?.id, version?.id);
  const features: VersionFeature[] = useMemo(
    () => (details.data?.spec.features ?? []).map((f) => ({ name: f.name, type: f.type, shape: f.shape })),
    [details.data],
  );

  // ---- the server's check, saving, positions -----------------------------------------------
  const spec = useMemo(() => specOf(doc), [doc]);
  const check = useServerCheck(project.id, experiment.dataset_version_id, spec, settings, catalog);
  const autosave = useAutosave(project.id, experiment.id, JSON.stringify(spec), JSON.stringify(settings), readOnly);
  useStoredPositions(experiment.id, doc.nodes);

  // ---- selection and the Inspector tab ------------------------------------------------------
  const selectedNodes = doc.nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  const selectedId = selected?.id;
  useEffect(() => {
    if (selectedId) setTab("block");
  }, [selectedId]);

  const select = useCallback(
    (id: string) => set((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, selected: n.id === id })), edges: d.edges.map((e) => ({ ...e, selected: false })) })),
    [set],
  );

  /** Pan so that a block (by its flow position) is in view, keeping the zoom. */
  const reveal = useCallback(
    (position: XYPosition) => {
      const box = canvasRef.current?.getBoundingClientRect();
      if (!box) return;
      const { x, y, zoom } = flow.getViewport();
      const left = position.x * zoom + x;
      const top = position.y * zoom + y;
      if (left < 10 || top < 10 || left + 230 * zoom > box.width || top + 120 * zoom > box.height) {
        void flow.setCenter(position.x + 105, position.y + 40, { zoom, duration: 150 });
      }
    },
    [flow],
  );

  // ---- edits, the keyboard, the view ---------------------------------------------------------
  const edits = useGraphEdits({ doc, commit, readOnly, selected, info: check.facts.info, reveal });
  useEditorKeys({ undo: history.undo, redo: history.redo, copy: edits.copy, paste: edits.paste, remove: edits.remove, readOnly, set });
  const fit = () => fitReadable(flow, canvasRef.current);
  const refit = () => window.setTimeout(fit, 60);
  const layoutAll = () => {
    commit((d) => autoLayout(d));
    refit();
  };
  const toggleYaml = () => {
    setYamlOpen((open) => !open);
    refit(); // the canvas changes width
  };
  const edges = doc.edges.map((e) => (check.badTargets.has(e.target) ? { ...e, className: "kz-edge-bad" } : e));

  // ---- run -------------------------------------------------------------------------------------
  const actions = useRunActions(project.id, experiment, autosave.save, autosave.saveError);
  const runBlocked = readOnly ? "An experiment runs once: clone it to run a changed copy" : check.errors.length ? `Fix first: ${check.errors[0]!.message}` : null;

  return (
    <CanvasFactsContext.Provider value={check.facts}>
      <Box style={{ flex: 1, minHeight: 0, minWidth: 0, display: "flex", flexDirection: "column" }}>
        <EditorToolbar
          projectId={project.id}
          experiment={experiment}
          onNew={onNew}
          onSearch={() => setSearchOpen(true)}
          readOnly={readOnly}
          history={history}
          edits={edits}
          hasSelection={selectedNodes.length > 0}
          canDelete={selectedNodes.length > 0 || doc.edges.some((e) => e.selected)}
          hasNodes={doc.nodes.length > 0}
          onLayout={layoutAll}
          onFit={fit}
          yamlOpen={yamlOpen}
          onToggleYaml={toggleYaml}
          saveState={autosave}
          run={{ blocked: runBlocked, ready: Boolean(check.result), starting: actions.starting, start: () => void actions.start() }}
        />
        {searchOpen && <NewSweepModal projectId={project.id} experiment={experiment} opened onClose={() => setSearchOpen(false)} />}
        {readOnly && project.role !== "viewer" && (
          <Alert variant="light" color="blue" py={6} px="sm" radius={0}>
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm">
                This experiment is {experiment.status}: its model and settings no longer change. Clone it to try changes.
              </Text>
              <Group gap="xs" wrap="nowrap">
                <Button size="compact-sm" variant="default" leftSection={<IconCopyPlus size={14} />} onClick={actions.cloneAndOpen} loading={actions.cloning}>
                  Clone
                </Button>
                <Button size="compact-sm" variant="light" component={Link} to={actions.evaluationPath}>
                  Open in Evaluation
                </Button>
              </Group>
            </Group>
          </Alert>
        )}
        <Box style={{ flex: 1, minHeight: 0, display: "flex" }}>
          <Palette blocks={blocks} disabled={readOnly} onAdd={(b) => edits.add(b)} />
          <GraphCanvas
            canvasRef={canvasRef}
            doc={doc}
            edges={edges}
            history={history}
            catalog={catalog}
            readOnly={readOnly}
            colorMode={scheme}
            onAdd={edits.add}
            totals={
              <Totals
                params={check.result?.total_params}
                flops={check.result?.total_flops}
                issues={check.issues}
                stale={check.stale}
                onPick={(id) => {
                  select(id);
                  const node = doc.nodes.find((n) => n.id === id);
                  if (node) reveal(node.position);
                }}
              />
            }
          />
          {yamlOpen && <YamlPanel spec={spec} readOnly={readOnly} onApply={edits.applyYaml} onClose={toggleYaml} />}
        </Box>
      </Box>
      <EditorInspector
        tab={tab}
        onTab={setTab}
        readOnly={readOnly}
        block={{
          selected,
          selectedCount: selectedNodes.length,
          facts: check.facts,
          features,
          losses,
          looseIssues: check.issues.filter((i) => !i.node),
          onParam: edits.setParam,
          onParams: edits.setParams,
          onRenameNode: (from, to) => {
            const next = renameNode(doc, from, to);
            if (!next) return false;
            commit(() => next);
            return true;
          },
          onCopy: edits.copy,
          onDelete: edits.remove,
        }}
        settings={{
          name: experiment.name,
          canRename: project.role !== "viewer",
          onRename: (name) => autosave.update.mutate({ name }, { onError: (error) => notifyError(error, "Not renamed") }),
          settings,
          schema: runSchema,
          subsets: Object.keys(version?.subset_counts ?? {}),
          dataLabel: (
            <>
              <Text span c="dimmed" size="sm">
                Dataset{" "}
              </Text>
              {dataset ? `${dataset.name} · ${version?.name} (${formatNumber(version?.row_count)} rows)` : "…"}
            </>
          ),
          errors: check.settingErrors,
          issues: check.issues.filter((i) => i.code.startsWith("settings.")),
          onChange: setSettings,
        }}
      />
    </CanvasFactsContext.Provider>
  );
}

/**
 * One experiment in the Modeling view: the block palette, the canvas, the YAML panel and, in
 * the Inspector, the selected block's form and the run settings.
 *
 * The canvas is the source of truth while editing. A moment after each change the server checks
 * the graph against the dataset version (shapes, parameters, FLOPs, problems, drawn on the
 * blocks) and the graph and settings are saved; Run saves what is left and queues training.
 * Block positions are the canvas's own and are kept in the browser.
 */
import "@xyflow/react/dist/style.css";
import "./modeling.css";

import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Divider,
  Group,
  Popover,
  ScrollArea,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import {
  IconAlertCircle,
  IconAlertTriangle,
  IconArrowBackUp,
  IconArrowForwardUp,
  IconCircleCheck,
  IconClipboard,
  IconCode,
  IconCopy,
  IconCopyPlus,
  IconFocusCentered,
  IconHierarchy,
  IconPlayerPlay,
  IconPlus,
  IconTrash,
} from "@tabler/icons-react";
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  Controls,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";

import { errorMessage } from "../../api/client";
import type { Project } from "../../api/types";
import { formatNumber } from "../../format";
import { useExperiments } from "../../projects/queries";
import { Inspector } from "../../shell/Inspector";
import { notifyError } from "../../shell/notify";
import { useDatasets } from "../datasets/queries";
import { BlockInspector, compact, type VersionFeature } from "./BlockInspector";
import { BlockNodeComponent, CanvasFactsContext, localMessage, type CanvasFacts } from "./BlockNode";
import {
  addBlock,
  autoLayout,
  copySelection,
  defaultParams,
  deleteSelected,
  docOf,
  makeEdge,
  paste,
  renameNode,
  selectionSink,
  specOf,
  withParam,
  type BlockNode,
  type Clipboard,
  type Doc,
  type GraphSpec,
} from "./graph";
import { useDocHistory } from "./history";
import { DRAG_TYPE, Palette } from "./Palette";
import {
  useBlocks,
  useCloneExperiment,
  useExperiment,
  useGraphCheck,
  useLosses,
  useRunExperiment,
  useRunSettingsSchema,
  useUpdateExperiment,
  useVersionDetails,
  type Block,
  type Experiment,
  type Issue,
  type Loss,
  type RunSettings,
} from "./queries";
import { SettingsPanel } from "./SettingsPanel";
import { ExperimentBadge } from "./status";
import { YamlPanel } from "./YamlPanel";

const NODE_TYPES = { block: BlockNodeComponent };
const TWO_D = new Set(["conv2d", "max_pool2d", "avg_pool2d", "global_pool2d"]);
// problems about what flows into a block: its incoming edges are drawn red
const EDGE_CODES = new Set(["shape.mismatch", "shape.target_mismatch", "graph.too_many_inputs", "graph.input_has_inputs", "graph.cycle", "graph.target_has_outputs"]);

let clipboard: Clipboard | null = null; // shared by every experiment: copy in one, paste in another

const layoutKey = (experimentId: string) => `kozak:layout:${experimentId}`;

function loadPositions(experimentId: string): Record<string, XYPosition> {
  try {
    return JSON.parse(localStorage.getItem(layoutKey(experimentId)) ?? "{}") as Record<string, XYPosition>;
  } catch {
    return {};
  }
}

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
  const navigate = useNavigate();
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
  const [hasClip, setHasClip] = useState(clipboard !== null);

  // ---- the data it trains on --------------------------------------------------------------
  const datasets = useDatasets(project.id);
  const dataset = datasets.data?.data.find((d) => d.versions.some((v) => v.id === experiment.dataset_version_id));
  const version = dataset?.versions.find((v) => v.id === experiment.dataset_version_id);
  const details = useVersionDetails(project.id, dataset?.id, version?.id);
  const features: VersionFeature[] = useMemo(
    () =>
      ((details.data?.spec.features ?? []) as { name: string; type: string; shape?: number[] | null }[]).map((f) => ({
        name: f.name,
        type: f.type,
        shape: f.shape,
      })),
    [details.data],
  );

  // ---- the server's check, a moment after each change -------------------------------------
  const spec = useMemo(() => specOf(doc), [doc]);
  const specText = JSON.stringify(spec);
  const settingsText = JSON.stringify(settings);
  const [checkedSpec] = useDebouncedValue(spec, 250);
  const [checkedSettings] = useDebouncedValue(settings, 250);
  const check = useGraphCheck(project.id, experiment.dataset_version_id, checkedSpec, checkedSettings);
  const stale = check.isPlaceholderData || check.isFetching || JSON.stringify(checkedSpec) !== specText;
  const facts: CanvasFacts = useMemo(() => {
    const issues = new Map<string, Issue[]>();
    for (const issue of check.data?.issues ?? []) {
      if (issue.node) issues.set(issue.node, [...(issues.get(issue.node) ?? []), issue]);
    }
    return {
      blocks: catalog,
      info: new Map((check.data?.nodes ?? []).map((n) => [n.id, n])),
      issues,
      stale,
    };
  }, [catalog, check.data, stale]);
  const errors = (check.data?.issues ?? []).filter((i) => i.severity === "error");
  const settingErrors: Record<string, string> = {};
  for (const issue of check.data?.issues ?? []) {
    const field = (issue.details as { field?: unknown }).field;
    if (issue.code.startsWith("settings.") && typeof field === "string") {
      settingErrors[field] = issue.message.replace(new RegExp(`^${field.replace(/[.]/g, "\\.")}: `), "");
    }
  }

  // ---- saving ------------------------------------------------------------------------------
  const update = useUpdateExperiment(project.id, experiment.id);
  const saved = useRef({ graph: specText, settings: settingsText });
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const save = useCallback(async (): Promise<boolean> => {
    const body: { graph?: GraphSpec; settings?: RunSettings } = {};
    if (specText !== saved.current.graph) body.graph = JSON.parse(specText) as GraphSpec;
    if (settingsText !== saved.current.settings) body.settings = JSON.parse(settingsText) as RunSettings;
    if (!body.graph && !body.settings) return true;
    setSaving(true);
    try {
      await update.mutateAsync(body);
      saved.current = { graph: specText, settings: settingsText };
      setSaveError(null);
      return true;
    } catch (error) {
      setSaveError(errorMessage(error));
      return false;
    } finally {
      setSaving(false);
    }
  }, [specText, settingsText, update]);
  const saveRef = useRef(save);
  saveRef.current = save;
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;
  useEffect(() => {
    if (readOnly) return;
    const timer = window.setTimeout(() => void saveRef.current(), 700);
    return () => window.clearTimeout(timer);
  }, [specText, settingsText, readOnly]);
  const dirty = specText !== saved.current.graph || settingsText !== saved.current.settings;
  useEffect(
    () => () => {
      if (!readOnlyRef.current) void saveRef.current(); // leaving: save what the timer had not
    },
    [],
  );

  // positions live in this browser only: the graph spec has no place for them
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const positions = Object.fromEntries(doc.nodes.map((n) => [n.id, n.position]));
      try {
        localStorage.setItem(layoutKey(experiment.id), JSON.stringify(positions));
      } catch {
        // storage full or disabled: the layout is simply recomputed next time
      }
    }, 400);
    return () => window.clearTimeout(timer);
  }, [doc.nodes, experiment.id]);

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

  // ---- edits ---------------------------------------------------------------------------------
  const add = (block: Block, at?: XYPosition) => {
    if (readOnly) return;
    // after the selected block; with several selected (a pasted pair), after the last of them
    const anchor = at ? null : (selected?.id ?? selectionSink(doc)?.id ?? null);
    const result = addBlock(doc, block.type, defaultParams(block), anchor);
    let next: Doc = result.doc;
    if (at) next = { ...next, nodes: next.nodes.map((n) => (n.id === result.id ? { ...n, position: at } : n)) };
    // a 2D block after a (4, L) sequence: see the sequence as a (4, L, 1) image, as Peltarion does
    const source = anchor ? next.edges.find((e) => e.target === result.id)?.source : undefined;
    const sourceNode = next.nodes.find((n) => n.id === source);
    const sourceShape = source ? facts.info.get(source)?.output_shape : undefined;
    if (TWO_D.has(block.type) && sourceNode?.data.type === "input" && sourceShape?.length === 2 && !sourceNode.data.params.shape) {
      const shape = [...sourceShape, 1];
      next = {
        ...next,
        nodes: next.nodes.map((n) => (n.id === sourceNode.id ? { ...n, data: { ...n.data, params: { ...n.data.params, shape } } } : n)),
      };
      notifications.show({
        color: "blue",
        message: `Input ${sourceNode.id} is now seen as ${shape.join(" x ")} (height x width x channels) for the 2D block; change it in the Input's Advanced settings.`,
        autoClose: 6000,
      });
    }
    commit(() => next);
    const placed = next.nodes.find((n) => n.id === result.id);
    if (placed) window.requestAnimationFrame(() => reveal(placed.position));
  };

  const setParam = (nodeId: string, name: string, value: unknown) =>
    commit(
      (d) => ({
        ...d,
        nodes: d.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: withParam(n.data.params, name, value) } } : n)),
      }),
      `${nodeId}.${name}`,
    );
  const setParams = (nodeId: string, params: Record<string, unknown>) =>
    commit((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params } } : n)) }));

  const copy = () => {
    const clip = copySelection(doc);
    if (!clip) return;
    clipboard = clip;
    setHasClip(true);
    notifications.show({ message: `Copied ${clip.nodes.length === 1 ? "1 block" : `${clip.nodes.length} blocks`}`, autoClose: 1500 });
  };
  const pasteClip = () => {
    if (readOnly || !clipboard) return;
    const clip = clipboard;
    const next = paste(doc, clip);
    commit(() => next);
    const first = next.nodes.find((n) => n.selected);
    if (first) window.requestAnimationFrame(() => reveal(first.position));
  };
  const remove = () => !readOnly && commit((d) => deleteSelected(d));
  const layoutAll = () => {
    commit((d) => autoLayout(d));
    refit();
  };
  const refit = () => window.setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 200 }), 60);
  const toggleYaml = () => {
    setYamlOpen((open) => !open);
    refit(); // the canvas changes width
  };
  const applyYaml = (parsed: GraphSpec) =>
    commit((d) => {
      const positions = Object.fromEntries(d.nodes.map((n) => [n.id, n.position]));
      const selectedIds = new Set(d.nodes.filter((n) => n.selected).map((n) => n.id));
      const next = docOf(parsed, positions);
      return { ...next, nodes: next.nodes.map((n) => (selectedIds.has(n.id) ? { ...n, selected: true } : n)) };
    }, "yaml");

  // keyboard: undo, redo, copy, cut, paste, delete, select all (not while typing in a field)
  const keys = useRef({ undo: history.undo, redo: history.redo, copy, paste: pasteClip, remove, readOnly, set });
  keys.current = { undo: history.undo, redo: history.redo, copy, paste: pasteClip, remove, readOnly, set };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true], [role=dialog], [role=listbox]")) return;
      const k = keys.current;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "c") return k.copy();
      if (k.readOnly) return;
      if (mod && key === "z") {
        event.preventDefault();
        return event.shiftKey ? k.redo() : k.undo();
      }
      if (mod && key === "y") {
        event.preventDefault();
        return k.redo();
      }
      if (mod && key === "v") return k.paste();
      if (mod && key === "x") {
        k.copy();
        return k.remove();
      }
      if (mod && key === "a") {
        event.preventDefault();
        return k.set((d) => ({ ...d, nodes: d.nodes.map((n) => ({ ...n, selected: true })) }));
      }
      if (key === "delete" || key === "backspace") {
        event.preventDefault();
        return k.remove();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  // ---- React Flow's events -------------------------------------------------------------------
  const onNodesChange = useCallback(
    (changes: NodeChange<BlockNode>[]) => {
      const kept = changes.filter((c) => c.type === "position" || c.type === "select" || c.type === "dimensions");
      if (kept.length) set((d) => ({ ...d, nodes: applyNodeChanges(kept, d.nodes) }));
    },
    [set],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const kept = changes.filter((c) => c.type === "select");
      if (kept.length) set((d) => ({ ...d, edges: applyEdgeChanges(kept, d.edges) }));
    },
    [set],
  );
  const onConnect = useCallback(
    (connection: Connection) => commit((d) => ({ ...d, edges: addEdge(makeEdge(connection.source, connection.target), d.edges) })),
    [commit],
  );
  const isValidConnection = useCallback(
    (c: Connection | { source: string; target: string }) =>
      c.source !== c.target && !doc.edges.some((e) => e.source === c.source && e.target === c.target),
    [doc.edges],
  );
  const onDrop = (event: DragEvent) => {
    const type = event.dataTransfer.getData(DRAG_TYPE);
    const block = catalog.get(type);
    if (!block) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX - 105, y: event.clientY - 20 });
    add(block, at);
  };

  const badTargets = new Set((check.data?.issues ?? []).filter((i) => i.severity === "error" && i.node && EDGE_CODES.has(i.code)).map((i) => i.node!));
  const edges = doc.edges.map((e) => (badTargets.has(e.target) ? { ...e, className: "kz-edge-bad" } : e));

  // ---- run -------------------------------------------------------------------------------------
  const run = useRunExperiment(project.id, experiment.id);
  const evaluationPath = `/projects/${project.id}/evaluation/${experiment.id}`;
  const [starting, setStarting] = useState(false);
  const start = async () => {
    setStarting(true);
    try {
      if (!(await save())) {
        notifyError(saveError ?? "the model could not be saved", "Not run");
        return;
      }
      await run.mutateAsync();
      notifications.show({
        color: "teal",
        title: "Training queued",
        message: (
          <>
            {experiment.name} will train as soon as a worker is free.{" "}
            {/* toasts live outside the router: navigate from here rather than with a Link */}
            <Anchor
              href={evaluationPath}
              size="sm"
              onClick={(event) => {
                event.preventDefault();
                navigate(evaluationPath);
              }}
            >
              Watch it in Evaluation
            </Anchor>
          </>
        ),
        autoClose: 8000,
      });
    } catch (error) {
      notifyError(error, "Not run");
    } finally {
      setStarting(false);
    }
  };

  const clone = useCloneExperiment(project.id, experiment.id);
  const experiments = useExperiments(project.id);
  const cloneAndOpen = () => {
    const taken = new Set((experiments.data?.data ?? []).map((e) => e.name));
    let k = 2;
    while (taken.has(`${experiment.name} ${k}`)) k += 1;
    clone.mutate(`${experiment.name} ${k}`, {
      onSuccess: (copy) => navigate(`/projects/${project.id}/modeling/${copy.id}`),
      onError: (error) => notifyError(error, "Not cloned"),
    });
  };

  const runBlocked = readOnly ? "An experiment runs once: clone it to run a changed copy" : errors.length ? `Fix first: ${errors[0]!.message}` : null;

  return (
    <CanvasFactsContext.Provider value={facts}>
      <Box style={{ flex: 1, minHeight: 0, minWidth: 0, display: "flex", flexDirection: "column" }}>
        <Group px="sm" py={6} gap="xs" justify="space-between" wrap="nowrap" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Select
              aria-label="Experiment"
              size="xs"
              w={180}
              searchable
              allowDeselect={false}
              data={(experiments.data?.data ?? []).map((e) => ({ value: e.id, label: e.name }))}
              value={experiment.id}
              onChange={(id) => id && navigate(`/projects/${project.id}/modeling/${id}`)}
            />
            <ExperimentBadge experiment={experiment} />
            <Tooltip label="New experiment" withArrow openDelay={300}>
              <Button size="xs" variant="default" leftSection={<IconPlus size={14} />} onClick={onNew} aria-label="New experiment">
                New
              </Button>
            </Tooltip>
          </Group>
          <Group gap={4} wrap="nowrap">
            <Tool label="Undo (Ctrl+Z)" icon={<IconArrowBackUp size={17} />} onClick={history.undo} disabled={readOnly || !history.canUndo} />
            <Tool label="Redo (Ctrl+Shift+Z)" icon={<IconArrowForwardUp size={17} />} onClick={history.redo} disabled={readOnly || !history.canRedo} />
            <Divider orientation="vertical" mx={2} />
            <Tool label="Copy (Ctrl+C)" icon={<IconCopy size={17} />} onClick={copy} disabled={!selectedNodes.length} />
            <Tool label="Paste (Ctrl+V)" icon={<IconClipboard size={17} />} onClick={pasteClip} disabled={readOnly || !hasClip} />
            <Tool label="Delete (Del)" icon={<IconTrash size={17} />} onClick={remove} disabled={readOnly || (!selectedNodes.length && !doc.edges.some((e) => e.selected))} />
            <Divider orientation="vertical" mx={2} />
            <Tool label="Auto-layout" icon={<IconHierarchy size={17} />} onClick={layoutAll} disabled={readOnly || !doc.nodes.length} />
            <Tool label="Fit to view" icon={<IconFocusCentered size={17} />} onClick={() => void flow.fitView({ padding: 0.15, maxZoom: 1, duration: 200 })} />
            <Divider orientation="vertical" mx={2} />
            <Button size="xs" variant={yamlOpen ? "light" : "subtle"} color="gray" leftSection={<IconCode size={15} />} onClick={toggleYaml} aria-pressed={yamlOpen}>
              YAML
            </Button>
            <SaveState readOnly={readOnly} saving={saving} dirty={dirty} error={saveError} />
            <Tooltip label={runBlocked} disabled={!runBlocked} multiline w={300} withArrow>
              <span>
                <Button size="xs" leftSection={<IconPlayerPlay size={14} />} onClick={() => void start()} loading={starting} disabled={Boolean(runBlocked) || !check.data}>
                  Run
                </Button>
              </span>
            </Tooltip>
          </Group>
        </Group>
        {readOnly && project.role !== "viewer" && (
          <Alert variant="light" color="blue" py={6} px="sm" radius={0}>
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm">
                This experiment is {experiment.status}: its model and settings no longer change. Clone it to try changes.
              </Text>
              <Group gap="xs" wrap="nowrap">
                <Button size="compact-sm" variant="default" leftSection={<IconCopyPlus size={14} />} onClick={cloneAndOpen} loading={clone.isPending}>
                  Clone
                </Button>
                <Button size="compact-sm" variant="light" component={Link} to={evaluationPath}>
                  Open in Evaluation
                </Button>
              </Group>
            </Group>
          </Alert>
        )}
        <Box style={{ flex: 1, minHeight: 0, display: "flex" }}>
          <Palette blocks={blocks} disabled={readOnly} onAdd={(b) => add(b)} />
          <Box
            ref={canvasRef}
            className="kz-canvas"
            style={{ flex: 1, minWidth: 0, position: "relative" }}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(DRAG_TYPE)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = "copy";
              }
            }}
            onDrop={onDrop}
          >
            <ReactFlow
              aria-label="Model canvas"
              nodes={doc.nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onNodeDragStart={history.checkpoint}
              isValidConnection={isValidConnection}
              deleteKeyCode={null}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              snapToGrid
              snapGrid={[10, 10]}
              fitView
              fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
              minZoom={0.2}
              maxZoom={2}
              colorMode={scheme}
            >
              <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
              <Controls showInteractive={false} position="bottom-left" />
              <Panel position="top-right">
                <Totals
                  params={check.data?.total_params}
                  flops={check.data?.total_flops}
                  issues={check.data?.issues ?? []}
                  stale={stale}
                  onPick={(id) => {
                    select(id);
                    const node = doc.nodes.find((n) => n.id === id);
                    if (node) reveal(node.position);
                  }}
                />
              </Panel>
              {!doc.nodes.length && (
                <Panel position="top-center">
                  <Card withBorder shadow="sm" radius="md" p="md" maw={420} mt={80}>
                    <Text fw={600} mb={4}>
                      An empty canvas
                    </Text>
                    <Text size="sm" c="dimmed">
                      Click <b>Input</b> in the Blocks list, pick its feature in the Inspector, then click the blocks of your model one after another: each new block connects to the selected one. End with a <b>Target</b>.
                    </Text>
                  </Card>
                </Panel>
              )}
            </ReactFlow>
          </Box>
          {yamlOpen && <YamlPanel spec={spec} readOnly={readOnly} onApply={applyYaml} onClose={toggleYaml} />}
        </Box>
      </Box>
      <Inspector title={experiment.name}>
        <Tabs value={tab} onChange={setTab}>
          <Tabs.List grow>
            <Tabs.Tab value="block">Block</Tabs.Tab>
            <Tabs.Tab value="settings">Settings</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="block" pt="md">
            {selected ? (
              <BlockInspector
                key={selected.id}
                node={selected}
                block={catalog.get(selected.data.type)}
                info={facts.info.get(selected.id)}
                issues={facts.issues.get(selected.id) ?? []}
                features={features}
                losses={losses}
                readOnly={readOnly}
                onParam={(name, value) => setParam(selected.id, name, value)}
                onParams={(params) => setParams(selected.id, params)}
                onRename={(id) => {
                  const next = renameNode(doc, selected.id, id);
                  if (!next) return false;
                  commit(() => next);
                  return true;
                }}
                onCopy={copy}
                onDelete={remove}
              />
            ) : (
              <Stack gap="xs">
                <Text size="sm" c="dimmed">
                  {selectedNodes.length > 1
                    ? `${selectedNodes.length} blocks selected: copy, paste or delete them together.`
                    : "Select a block on the canvas to edit its parameters, or add one from the Blocks list: it connects to the selected block."}
                </Text>
                <GraphIssues issues={(check.data?.issues ?? []).filter((i) => !i.node)} />
              </Stack>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="settings" pt="md">
            <NameField
              name={experiment.name}
              disabled={project.role === "viewer"}
              onRename={(name) => update.mutate({ name }, { onError: (error) => notifyError(error, "Not renamed") })}
            />
            <SettingsPanel
              settings={settings}
              schema={runSchema}
              subsets={Object.keys(version?.subset_counts ?? {})}
              dataLabel={
                <>
                  <Text span c="dimmed" size="sm">
                    Dataset{" "}
                  </Text>
                  {dataset ? `${dataset.name} · ${version?.name} (${formatNumber(version?.row_count)} rows)` : "…"}
                </>
              }
              readOnly={readOnly}
              errors={settingErrors}
              onChange={setSettings}
            />
            <GraphIssues issues={(check.data?.issues ?? []).filter((i) => i.code.startsWith("settings."))} />
          </Tabs.Panel>
        </Tabs>
      </Inspector>
    </CanvasFactsContext.Provider>
  );
}

/** The experiment's name, saved when the field is left (Enter leaves it). */
function NameField({ name, disabled, onRename }: { name: string; disabled: boolean; onRename: (name: string) => void }) {
  const [value, setValue] = useState(name);
  useEffect(() => setValue(name), [name]);
  return (
    <TextInput
      label="Experiment name"
      mb="sm"
      value={value}
      disabled={disabled}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={() => {
        const next = value.trim();
        if (next && next !== name) onRename(next);
        else setValue(name);
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter") e.currentTarget.blur();
        if (e.key === "Escape") setValue(name);
      }}
    />
  );
}

function Tool({ label, icon, onClick, disabled }: { label: string; icon: ReactNode; onClick: () => void; disabled?: boolean }) {
  return (
    <Tooltip label={label} withArrow openDelay={300}>
      <ActionIcon className="kz-tool" variant="subtle" color="gray" aria-label={label.replace(/ \(.*\)$/, "")} onClick={onClick} disabled={disabled}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}

function SaveState({ readOnly, saving, dirty, error }: { readOnly: boolean; saving: boolean; dirty: boolean; error: string | null }) {
  if (readOnly) return null;
  if (error && dirty) {
    return (
      <Tooltip label={error} multiline w={300} withArrow>
        <Text size="xs" c="red" px={6} data-testid="save-state">
          Not saved
        </Text>
      </Tooltip>
    );
  }
  return (
    <Text size="xs" c="dimmed" px={6} w={58} data-testid="save-state">
      {saving || dirty ? "Saving…" : "Saved"}
    </Text>
  );
}

function Totals({ params, flops, issues, stale, onPick }: { params?: number; flops?: number; issues: Issue[]; stale: boolean; onPick: (id: string) => void }) {
  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  return (
    <Card withBorder shadow="sm" radius="md" px="sm" py={8} w={188} data-testid="totals" style={{ opacity: stale ? 0.8 : 1 }}>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" c="dimmed">
          Parameters
        </Text>
        <Text size="sm" fw={600} ff="monospace" data-testid="total-params">
          {params === undefined ? "…" : formatNumber(params)}
        </Text>
      </Group>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="xs" c="dimmed">
          FLOPs / example
        </Text>
        <Text size="sm" fw={600} ff="monospace" data-testid="total-flops">
          {flops === undefined ? "…" : compact(flops)}
        </Text>
      </Group>
      <Popover width={360} position="bottom-end" withArrow shadow="md" disabled={!issues.length}>
        <Popover.Target>
          <UnstyledButton aria-label="Problems" mt={6} display="block">
            {issues.length === 0 ? (
              <Badge color="teal" variant="light" fullWidth leftSection={<IconCircleCheck size={12} />}>
                Ready
              </Badge>
            ) : (
              <Group gap={4} wrap="nowrap" grow>
                {errors.length > 0 && (
                  <Badge color="red" variant="light" leftSection={<IconAlertCircle size={12} />}>
                    {errors.length} {errors.length === 1 ? "error" : "errors"}
                  </Badge>
                )}
                {warnings.length > 0 && (
                  <Badge color="yellow" variant="light" leftSection={<IconAlertTriangle size={12} />}>
                    {warnings.length} {warnings.length === 1 ? "warning" : "warnings"}
                  </Badge>
                )}
              </Group>
            )}
          </UnstyledButton>
        </Popover.Target>
        <Popover.Dropdown p={0}>
          <ScrollArea.Autosize mah={320}>
            <Stack gap={0}>
              {issues.map((issue, i) => (
                <UnstyledButton key={i} className="list-link" onClick={() => issue.node && onPick(issue.node)} px="sm" py={6}>
                  <Group gap={8} wrap="nowrap" align="flex-start">
                    {issue.severity === "error" ? (
                      <IconAlertCircle size={15} color="var(--mantine-color-red-6)" style={{ flexShrink: 0, marginTop: 2 }} />
                    ) : (
                      <IconAlertTriangle size={15} color="var(--mantine-color-yellow-7)" style={{ flexShrink: 0, marginTop: 2 }} />
                    )}
                    <Text size="xs">
                      {issue.node && <b>{issue.node}: </b>}
                      {issue.node ? localMessage(issue.message, issue.node) : issue.message}
                    </Text>
                  </Group>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Popover.Dropdown>
      </Popover>
    </Card>
  );
}

function GraphIssues({ issues }: { issues: Issue[] }) {
  if (!issues.length) return null;
  return (
    <Stack gap={6} mt="sm">
      {issues.map((issue, i) => (
        <Alert key={i} color={issue.severity === "error" ? "red" : "yellow"} variant="light" p="xs">
          <Text size="xs">{issue.message}</Text>
        </Alert>
      ))}
    </Stack>
  );
}

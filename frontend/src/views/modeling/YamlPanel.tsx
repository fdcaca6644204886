/**
 * The graph as YAML beside the canvas. Canvas edits rewrite the text (unless it is being
 * typed in); typed text that parses is drawn on the canvas a moment later, as one undo step.
 */
import { Alert, Box, CloseButton, Group, Text, Textarea } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useRef, useState } from "react";
import YAML from "yaml";

import { parseSpec, type GraphSpec } from "./graph";

interface Props {
  spec: GraphSpec;
  readOnly: boolean;
  onApply: (spec: GraphSpec) => void;
  onClose: () => void;
}

/** Blocks as mappings, edges as `[from, to]` pairs: the same file `kozak run` reads. */
export function specToYaml(spec: GraphSpec): string {
  const doc = new YAML.Document({
    name: spec.name ?? "",
    description: spec.description ?? "",
    nodes: spec.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params })),
    edges: spec.edges.map((e) => [e.src, e.dst]),
  });
  const edges = doc.get("edges") as YAML.YAMLSeq | undefined;
  for (const item of edges?.items ?? []) (item as YAML.YAMLSeq).flow = true;
  const nodes = doc.get("nodes") as YAML.YAMLSeq | undefined;
  for (const item of nodes?.items ?? []) {
    const params = (item as YAML.YAMLMap).get("params") as YAML.YAMLMap | undefined;
    if (params && params.items.length === 0) params.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function YamlPanel({ spec, readOnly, onApply, onClose }: Props) {
  const [text, setText] = useState(() => specToYaml(spec));
  const [error, setError] = useState<string | null>(null);
  const editing = useRef(false);
  const lastApplied = useRef<string | null>(null);
  const rendered = specToYaml(spec);

  useEffect(() => {
    // the canvas changed: show it, unless this change came from the text being typed
    if (!editing.current && rendered !== lastApplied.current) {
      setText(rendered);
      setError(null);
    }
    lastApplied.current = null;
  }, [rendered]);

  const apply = useDebouncedCallback((value: string) => {
    try {
      const parsed = parseSpec(YAML.parse(value));
      setError(null);
      lastApplied.current = specToYaml(parsed);
      onApply(parsed);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, 500);

  return (
    <Box
      component="section"
      aria-label="YAML"
      w={360}
      miw={300}
      style={{ borderLeft: "1px solid var(--mantine-color-default-border)", display: "flex", flexDirection: "column", minHeight: 0 }}
    >
      <Group justify="space-between" px="sm" py={6} style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" lts={1}>
          Graph as YAML
        </Text>
        <CloseButton size="sm" aria-label="Close YAML" onClick={onClose} />
      </Group>
      {error && (
        <Alert color="red" variant="light" m="xs" p="xs" data-testid="yaml-error">
          <Text size="xs">{error}</Text>
        </Alert>
      )}
      <Textarea
        className="kz-yaml"
        aria-label="Graph YAML"
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        onFocus={() => (editing.current = true)}
        onBlur={() => {
          editing.current = false;
          if (!error) setText(rendered);
        }}
        onChange={(e) => {
          setText(e.currentTarget.value);
          apply(e.currentTarget.value);
        }}
        styles={{
          root: { flex: 1, display: "flex", flexDirection: "column", minHeight: 0 },
          wrapper: { flex: 1, display: "flex", minHeight: 0 },
          input: { flex: 1, height: "100%", border: 0, borderRadius: 0, resize: "none", padding: "8px 12px" },
        }}
      />
      <Text size="xs" c="dimmed" px="sm" py={6} style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}>
        Edits are drawn on the canvas as you type; shapes and problems follow.
      </Text>
    </Box>
  );
}

/**
 * Saving an experiment's graph and run settings: a moment after each change, before a run
 * (`save`), and on leaving the editor. Only what differs from the last save is sent. While an
 * edit is unsaved, reloading or closing the tab asks first (the browser's own `beforeunload` prompt).
 */
import { useCallback, useEffect, useRef, useState } from "react";

import { errorMessage } from "../../api/client";
import type { GraphSpec } from "./graph";
import { useUpdateExperiment, type RunSettings } from "./queries";

export function useAutosave(projectId: string, experimentId: string, specText: string, settingsText: string, readOnly: boolean) {
  const update = useUpdateExperiment(projectId, experimentId);
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
  const unsaved = !readOnly && (dirty || saving);
  useEffect(() => {
    if (!unsaved) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = ""; // older browsers prompt only when this is set
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [unsaved]);
  return { save, saving, saveError, dirty, update };
}

/**
 * The editor's keyboard: undo, redo, copy, cut, paste, delete and select all, not while typing
 * in a field. The handler is registered once and reads the latest actions from a ref.
 */
import { useEffect, useRef } from "react";

import type { Doc } from "./graph";

export interface EditorKeys {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  remove: () => void;
  readOnly: boolean;
  set: (update: (doc: Doc) => Doc) => void;
}

export function useEditorKeys(current: EditorKeys): void {
  const keys = useRef(current);
  keys.current = current;
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
}

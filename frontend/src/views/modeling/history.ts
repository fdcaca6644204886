/**
 * The canvas's undo and redo: each committed change keeps the document before it. Selection
 * and dragging are not steps of their own (a drag is one step, taken when it starts), and
 * typing in one field is one step, however many keys it took.
 */
import { useCallback, useMemo, useState } from "react";

import type { Doc } from "./graph";

const LIMIT = 200;

interface State {
  past: Doc[];
  present: Doc;
  future: Doc[];
  key: string | null;
}

export interface DocHistory {
  doc: Doc;
  canUndo: boolean;
  canRedo: boolean;
  /** Change without an undo step (selection, positions while dragging). */
  set: (update: (doc: Doc) => Doc) => void;
  /** Change as one undo step; consecutive commits with the same `key` merge into one. */
  commit: (update: (doc: Doc) => Doc, key?: string) => void;
  /** Keep the current document as an undo step (before a drag). */
  checkpoint: () => void;
  undo: () => void;
  redo: () => void;
}

export function useDocHistory(initial: () => Doc): DocHistory {
  const [state, setState] = useState<State>(() => ({ past: [], present: initial(), future: [], key: null }));
  const set = useCallback((update: (doc: Doc) => Doc) => setState((s) => ({ ...s, present: update(s.present) })), []);
  const commit = useCallback(
    (update: (doc: Doc) => Doc, key?: string) =>
      setState((s) => {
        const next = update(s.present);
        if (next === s.present) return s;
        const merge = key !== undefined && key === s.key;
        return { past: merge ? s.past : [...s.past, s.present].slice(-LIMIT), present: next, future: [], key: key ?? null };
      }),
    [],
  );
  const checkpoint = useCallback(
    () => setState((s) => ({ ...s, past: [...s.past, s.present].slice(-LIMIT), future: [], key: null })),
    [],
  );
  const undo = useCallback(
    () =>
      setState((s) => {
        const previous = s.past[s.past.length - 1];
        if (!previous) return s;
        return { past: s.past.slice(0, -1), present: previous, future: [s.present, ...s.future], key: null };
      }),
    [],
  );
  const redo = useCallback(
    () =>
      setState((s) => {
        const next = s.future[0];
        if (!next) return s;
        return { past: [...s.past, s.present], present: next, future: s.future.slice(1), key: null };
      }),
    [],
  );
  return useMemo(
    () => ({
      doc: state.present,
      canUndo: state.past.length > 0,
      canRedo: state.future.length > 0,
      set,
      commit,
      checkpoint,
      undo,
      redo,
    }),
    [state, set, commit, checkpoint, undo, redo],
  );
}

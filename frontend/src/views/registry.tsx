/**
 * The project's views, in tab order. Each view lives in its own folder (`views/<name>/`) and
 * exports one component taking the project; it may route inside itself (its path ends in `/*`).
 * A view's code loads when it first opens, so a page downloads and compiles only the view it
 * shows (the charting library only with the views that draw charts).
 */
import type { Icon } from "@tabler/icons-react";
import {
  IconAdjustmentsHorizontal,
  IconChartDots,
  IconDatabase,
  IconDna,
  IconRocket,
  IconTopologyStar3,
} from "@tabler/icons-react";
import { type ComponentType, useEffect, useState } from "react";

import type { Project } from "../api/types";

export interface ViewProps {
  project: Project;
}

export interface ProjectView {
  path: string;
  label: string;
  icon: Icon;
  /** The view's component; its code downloads on the first call. */
  load: () => Promise<ComponentType<ViewProps>>;
}

/**
 * A loader of the view a module exports as `name`: one download, shared by every caller; a failed
 * one is tried again on the next call.
 */
function onFirstUse<K extends string>(load: () => Promise<Record<K, ComponentType<ViewProps>>>, name: K) {
  let loading: Promise<ComponentType<ViewProps>> | undefined;
  return () =>
    (loading ??= load().then(
      (module) => module[name],
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));
}

export const PROJECT_VIEWS: ProjectView[] = [
  { path: "datasets", label: "Datasets", icon: IconDatabase, load: onFirstUse(() => import("./datasets"), "DatasetsView") },
  { path: "modeling", label: "Modeling", icon: IconTopologyStar3, load: onFirstUse(() => import("./modeling"), "ModelingView") },
  { path: "sweeps", label: "Sweeps", icon: IconAdjustmentsHorizontal, load: onFirstUse(() => import("./sweeps"), "SweepsView") },
  { path: "evaluation", label: "Evaluation", icon: IconChartDots, load: onFirstUse(() => import("./evaluation"), "EvaluationView") },
  { path: "deployment", label: "Deployment", icon: IconRocket, load: onFirstUse(() => import("./deployment"), "DeploymentView") },
  { path: "design", label: "Design", icon: IconDna, load: onFirstUse(() => import("./design"), "DesignView") },
];

const loadedViews = new Map<ProjectView, ComponentType<ViewProps>>();

/**
 * The view's component once its code has loaded (at once when it has before), else `undefined`
 * or the error that stopped it. Not `React.lazy`: React 19 holds back what replaces a Suspense
 * fallback for up to 300 ms, longer than the view's code takes to come from the cache.
 */
export function useViewComponent(view: ProjectView | undefined) {
  const [failed, setFailed] = useState<{ view: ProjectView; error: unknown }>();
  const [, setLoaded] = useState<ProjectView>();
  useEffect(() => {
    if (!view || loadedViews.has(view)) return;
    let current = true;
    view.load().then(
      (Component) => {
        loadedViews.set(view, Component);
        if (current) setLoaded(view);
      },
      (error: unknown) => current && setFailed({ view, error }),
    );
    return () => {
      current = false;
    };
  }, [view]);
  return {
    Component: view && loadedViews.get(view),
    error: failed && failed.view === view ? failed.error : undefined,
  };
}

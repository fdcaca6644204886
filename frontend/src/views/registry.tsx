/**
 * The project's views, in tab order. Each view lives in its own folder (`views/<name>/`) and
 * exports one component taking the project; it may route inside itself (its path ends in `/*`).
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
import type { ComponentType } from "react";

import type { Project } from "../api/types";
import { DatasetsView } from "./datasets";
import { DeploymentView } from "./deployment";
import { DesignView } from "./design";
import { EvaluationView } from "./evaluation";
import { ModelingView } from "./modeling";
import { SweepsView } from "./sweeps";

export interface ViewProps {
  project: Project;
}

export interface ProjectView {
  path: string;
  label: string;
  icon: Icon;
  Component: ComponentType<ViewProps>;
}

export const PROJECT_VIEWS: ProjectView[] = [
  { path: "datasets", label: "Datasets", icon: IconDatabase, Component: DatasetsView },
  { path: "modeling", label: "Modeling", icon: IconTopologyStar3, Component: ModelingView },
  { path: "sweeps", label: "Sweeps", icon: IconAdjustmentsHorizontal, Component: SweepsView },
  { path: "evaluation", label: "Evaluation", icon: IconChartDots, Component: EvaluationView },
  { path: "deployment", label: "Deployment", icon: IconRocket, Component: DeploymentView },
  { path: "design", label: "Design", icon: IconDna, Component: DesignView },
];

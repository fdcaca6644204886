/** The Evaluation view (live curves and plots come in part 2 of the web UI); for now its experiment list. */
import type { ViewProps } from "../registry";
import { ExperimentsPlaceholder } from "../shared/ExperimentsPlaceholder";

export function EvaluationView({ project }: ViewProps) {
  return (
    <ExperimentsPlaceholder
      projectId={project.id}
      title="Evaluation"
      note="Live loss curves, prediction scatter plots and error distributions are on their way. Meanwhile each experiment's status and best metric update here as it trains."
    />
  );
}

/** The Modeling view (the block canvas comes in part 2 of the web UI); for now its experiment list. */
import type { ViewProps } from "../registry";
import { ExperimentsPlaceholder } from "../shared/ExperimentsPlaceholder";

export function ModelingView({ project }: ViewProps) {
  return (
    <ExperimentsPlaceholder
      projectId={project.id}
      title="Experiments"
      note="The visual model builder is on its way. Until then, build experiments from a preset with the Python client or `kozak run`."
    />
  );
}

/**
 * The Evaluation view: the project's experiments (index), one experiment's curves and plots
 * (`:experimentId`), and a comparison of several (`compare?ids=a,b`). The two pages with
 * charts load on first use, with the chart types only they draw.
 */
import { Box, Loader } from "@mantine/core";
import { lazy, Suspense } from "react";
import { Route, Routes, useParams } from "react-router";

import type { ViewProps } from "../registry";
import { ExperimentList } from "./ExperimentList";

const ExperimentView = lazy(() => import("./ExperimentView").then((m) => ({ default: m.ExperimentView })));
const CompareView = lazy(() => import("./CompareView").then((m) => ({ default: m.CompareView })));

export function EvaluationView({ project }: ViewProps) {
  const base = `/projects/${project.id}/evaluation`;
  return (
    <Box style={{ flex: 1, minWidth: 0, minHeight: 0, display: "flex", flexDirection: "column" }}>
      <Suspense fallback={<Loader m="xl" />}>
        <Routes>
          <Route index element={<ExperimentList projectId={project.id} base={base} />} />
          <Route path="compare" element={<CompareView projectId={project.id} base={base} />} />
          <Route path=":experimentId" element={<ExperimentRoute projectId={project.id} base={base} />} />
        </Routes>
      </Suspense>
    </Box>
  );
}

function ExperimentRoute({ projectId, base }: { projectId: string; base: string }) {
  const { experimentId = "" } = useParams();
  return <ExperimentView key={experimentId} projectId={projectId} experimentId={experimentId} base={base} />;
}

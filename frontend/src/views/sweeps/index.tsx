/**
 * The Sweeps view: the project's hyperparameter sweeps (index) and one sweep's page
 * (`:sweepId`, loaded on first use with its charts). Both follow the project's event stream.
 */
import { Box, Loader } from "@mantine/core";
import { lazy, Suspense } from "react";
import { Route, Routes, useParams } from "react-router";

import type { ViewProps } from "../registry";
import { useLiveSweeps } from "./queries";
import { SweepList } from "./SweepList";

const SweepPage = lazy(() => import("./SweepPage").then((m) => ({ default: m.SweepPage })));

export function SweepsView({ project }: ViewProps) {
  const base = `/projects/${project.id}/sweeps`;
  useLiveSweeps(project.id, true);
  return (
    <Box style={{ flex: 1, minWidth: 0, minHeight: 0, display: "flex", flexDirection: "column" }}>
      <Suspense fallback={<Loader m="xl" />}>
        <Routes>
          <Route index element={<SweepList projectId={project.id} base={base} />} />
          <Route path=":sweepId" element={<SweepRoute projectId={project.id} />} />
        </Routes>
      </Suspense>
    </Box>
  );
}

function SweepRoute({ projectId }: { projectId: string }) {
  const { sweepId = "" } = useParams();
  return <SweepPage key={sweepId} projectId={projectId} sweepId={sweepId} />;
}

/** Routes: the log-in page when the server wants one, else the projects list and project pages. */
import { Center, Loader } from "@mantine/core";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";

import { LoginPage } from "./auth/LoginPage";
import { useMe } from "./auth/session";
import { ProjectsPage } from "./projects/ProjectsPage";
import { AppLayout } from "./shell/AppLayout";
import { ProjectPage } from "./views/ProjectPage";

export function App() {
  const me = useMe();
  if (me.isLoading) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  return (
    <BrowserRouter>
      {me.data ? (
        <Routes>
          <Route element={<AppLayout user={me.data} />}>
            <Route index element={<ProjectsPage />} />
            <Route path="projects/:projectId/*" element={<ProjectPage />} />
            <Route path="login" element={<Navigate to="/" replace />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      ) : (
        <LoginPage />
      )}
    </BrowserRouter>
  );
}

/**
 * What the editor does with a whole experiment: run it (save what is left, queue training, say
 * where to watch it) and, once it has run, clone it under a free name and open the copy.
 */
import { Anchor } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useNavigate } from "react-router";

import { useTakenNames } from "../../projects/queries";
import { notifyError } from "../../shell/notify";
import { useCloneExperiment, useRunExperiment, type Experiment } from "./queries";

export function useRunActions(projectId: string, experiment: Experiment, save: () => Promise<boolean>, saveError: string | null) {
  const navigate = useNavigate();
  const run = useRunExperiment(projectId, experiment.id);
  const evaluationPath = `/projects/${projectId}/evaluation/${experiment.id}`;
  const [starting, setStarting] = useState(false);
  const start = async () => {
    setStarting(true);
    try {
      if (!(await save())) {
        notifyError(saveError ?? "the model could not be saved", "Not run");
        return;
      }
      await run.mutateAsync();
      notifications.show({
        color: "teal",
        title: "Training queued",
        message: (
          <>
            {experiment.name} will train as soon as a worker is free.{" "}
            {/* toasts live outside the router: navigate from here rather than with a Link */}
            <Anchor
              href={evaluationPath}
              size="sm"
              onClick={(event) => {
                event.preventDefault();
                navigate(evaluationPath);
              }}
            >
              Watch it in Evaluation
            </Anchor>
          </>
        ),
        autoClose: 8000,
      });
    } catch (error) {
      notifyError(error, "Not run");
    } finally {
      setStarting(false);
    }
  };

  const clone = useCloneExperiment(projectId, experiment.id);
  const taken = useTakenNames(projectId, experiment.name);
  const cloneAndOpen = () => {
    let k = 2;
    while (taken.has(`${experiment.name} ${k}`)) k += 1;
    clone.mutate(`${experiment.name} ${k}`, {
      onSuccess: (copy) => navigate(`/projects/${projectId}/modeling/${copy.id}`),
      onError: (error) => notifyError(error, "Not cloned"),
    });
  };

  return { start, starting, evaluationPath, cloneAndOpen, cloning: clone.isPending };
}

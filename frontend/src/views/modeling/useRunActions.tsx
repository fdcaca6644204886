/**
 * What the editor does with a whole experiment: run it (save what is left, queue training, then
 * open its Evaluation view, or stay with a notice that lasts as long as the run) and, once it
 * has run, clone it under a free name and open the copy.
 */
import { Anchor } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";

import { useTakenNames } from "../../projects/queries";
import { notifyError } from "../../shell/notify";
import { useOpenEvaluationAfterRun } from "./afterRun";
import { useCloneExperiment, useRunExperiment, type Experiment } from "./queries";

const ENDED = new Set(["completed", "failed", "stopped"]);

export function useRunActions(projectId: string, experiment: Experiment, save: () => Promise<boolean>, saveError: string | null) {
  const navigate = useNavigate();
  const run = useRunExperiment(projectId, experiment.id);
  const evaluationPath = `/projects/${projectId}/evaluation/${experiment.id}`;
  const [starting, setStarting] = useState(false);
  const [openEvaluation] = useOpenEvaluationAfterRun();
  // The "queued" notice of a user who stays lasts while the run does (or until they leave).
  const noticeId = `run-${experiment.id}`;
  const ended = ENDED.has(experiment.status);
  useEffect(() => {
    if (ended) notifications.hide(noticeId);
  }, [ended, noticeId]);
  useEffect(() => () => void notifications.hide(noticeId), [noticeId]);
  const start = async () => {
    setStarting(true);
    try {
      if (!(await save())) {
        notifyError(saveError ?? "the model could not be saved", "Not run");
        return;
      }
      await run.mutateAsync();
      if (openEvaluation) {
        navigate(evaluationPath);
        notifications.show({ color: "teal", message: `${experiment.name} is queued: it trains as soon as a worker is free`, autoClose: 4000 });
        return;
      }
      notifications.show({
        id: noticeId,
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
        autoClose: false,
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

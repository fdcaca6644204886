/** The header's running-jobs indicator: a count (or the one job's subject) that pulses while jobs
 * run, and their list. */
import { Badge, Button, Group, Loader, Popover, Stack, Text, UnstyledButton } from "@mantine/core";
import { IconPlayerStop } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import type { Job } from "../api/types";
import { useExperimentNames } from "../projects/queries";
import { activeJobsKey, useActiveJobs } from "./jobs";
import { notifyError } from "./notify";

export function RunningJobs({ projectId }: { projectId: string }) {
  const jobs = useActiveJobs(projectId);
  const active = jobs.data?.data ?? [];
  const names = useExperimentNames(
    projectId,
    active.map((job) => job.experiment_id ?? ""),
  );
  // Only the first page is listed; `count` says how many there are in all.
  const total = jobs.data?.count ?? 0;
  const running = active.filter((job) => job.status === "running").length;
  const queued = total - running;
  const label = total === 0 ? "No jobs running" : `${running} running, ${queued} queued`;
  // One job: name it, so the badge is not read as being about the page it sits over.
  const only = total === 1 ? active[0] : undefined;
  const short = only ? `${jobSubject(only, names) || only.kind} · ${only.status}` : running ? `${running} running` : `${queued} queued`;
  return (
    <Popover position="bottom-end" withArrow width={340}>
      <Popover.Target>
        <UnstyledButton aria-label={label} data-testid="running-jobs">
          <Badge
            size="lg"
            tt="none"
            variant={active.length ? "filled" : "light"}
            color={active.length ? "teal" : "gray"}
            leftSection={active.length ? <Loader size={12} color="white" /> : undefined}
          >
            {active.length ? short : "No jobs"}
          </Badge>
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown>
        <Text fw={600} size="sm" mb="xs">
          {label}
        </Text>
        <Stack gap="xs">
          {active.map((job) => (
            <JobLine key={job.id} job={job} projectId={projectId} experiment={jobSubject(job, names)} />
          ))}
          {!active.length && (
            <Text size="sm" c="dimmed">
              Training, evaluation and design jobs of this project show up here while they run.
            </Text>
          )}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** What a job works on: its experiment's name, or the design it runs (a project job). */
function jobSubject(job: Job, names: Map<string, string>): string {
  if (job.experiment_id) return names.get(job.experiment_id) ?? job.experiment_id;
  const design = job.payload.design_id;
  return typeof design === "string" ? design : "";
}

function JobLine({ job, projectId, experiment }: { job: Job; projectId: string; experiment: string }) {
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: () =>
      call(api.POST("/api/projects/{project_id}/jobs/{job_id}/cancel", { params: { path: { project_id: projectId, job_id: job.id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: activeJobsKey(projectId) }),
    onError: (error) => notifyError(error),
  });
  return (
    <Group justify="space-between" wrap="nowrap">
      <div>
        <Text size="sm">
          <b>{experiment}</b>{" "}
          <Text span c="dimmed" size="xs">
            {job.kind}
          </Text>
        </Text>
        <Text size="xs" c={job.status === "running" ? "teal" : "dimmed"}>
          {job.cancel_requested ? "stopping…" : job.status}
        </Text>
      </div>
      <Button
        size="compact-xs"
        variant="subtle"
        color="red"
        leftSection={<IconPlayerStop size={14} />}
        disabled={job.cancel_requested}
        loading={cancel.isPending}
        onClick={() => cancel.mutate()}
      >
        Cancel
      </Button>
    </Group>
  );
}

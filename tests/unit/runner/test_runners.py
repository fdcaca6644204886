"""Choosing a runner, the settings workers inherit, and the Ray runner on a local Ray (if installed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from kozak.errors import InvalidConfig
from kozak.runner import enqueue_experiment_job, open_runner
from kozak.runner.local import LocalProcessRunner, gpu_assignment, settings_env, worker_env
from kozak.runner.ray import RayRunner
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace

HAS_RAY = importlib.util.find_spec("ray") is not None


def test_the_runner_is_the_one_the_settings_name(tmp_path: Path) -> None:
    local = Workspace.open(Settings(home=tmp_path / "a"))
    assert isinstance(open_runner(local), LocalProcessRunner)
    ray = Workspace.open(Settings(home=tmp_path / "b", runner="ray"))
    assert isinstance(open_runner(ray), RayRunner)  # nothing of Ray imported yet


@pytest.mark.skipif(HAS_RAY, reason="Ray is installed")
def test_the_ray_runner_without_ray_says_how_to_install_it(tmp_path: Path) -> None:
    runner = open_runner(Workspace.open(Settings(home=tmp_path, runner="ray")))
    with pytest.raises(InvalidConfig, match=r"pip install 'kozak\[ray\]'"):
        runner.start()


def test_workers_read_back_the_same_settings_but_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        workers=3,
        job_lease_s=2.5,
        heartbeat_s=0.25,
        auth=False,
        runner="ray",
        ray_address="ray://head:10001",
        admin_password="secret",
    )
    env = settings_env(settings)
    assert "KOZAK_ADMIN_PASSWORD" not in env and env["KOZAK_AUTH"] == "false"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings.model_copy(update={"admin_password": ""})


def test_each_worker_gets_one_gpu_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    count = torch.cuda.device_count()
    if count == 0:
        assert gpu_assignment(0) is None
        return
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert [gpu_assignment(i) for i in range(count + 1)] == [*map(str, range(count)), "0"]


def test_the_ray_runner_runs_a_submitted_job(
    job_workspace: Workspace, make_experiment: Callable[..., Experiment]
) -> None:
    pytest.importorskip("ray")
    if job_workspace.settings.database_url.startswith("postgresql"):
        pytest.skip("starting Ray takes ~10 s; once, on SQLite, is enough")
    experiment = make_experiment()
    runner = RayRunner(job_workspace, num_gpus=0)
    runner.start()
    try:
        job = enqueue_experiment_job(job_workspace, experiment, "train")
        assert runner.submit(job).wait(timeout=120).status == "completed"
    finally:
        runner.stop()
    done = job_workspace.metadata.get_experiment(experiment.project_id, experiment.id)
    assert done.status == "completed" and done.epochs_done == 2


def test_workers_never_inherit_the_admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOZAK_ADMIN_PASSWORD", "typed-by-the-admin")
    monkeypatch.setenv("LANG", "C.UTF-8")
    env = worker_env(Settings(home=Path("/tmp/kozak-home")))
    assert "KOZAK_ADMIN_PASSWORD" not in env and "typed-by-the-admin" not in env.values()
    assert env["LANG"] == "C.UTF-8" and env["KOZAK_HOME"] == "/tmp/kozak-home"

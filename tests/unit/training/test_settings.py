"""Run settings: defaults, validation errors, JSON Schema, optimizer and schedule registries."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from kozak.errors import InvalidConfig
from kozak.training import OPTIMIZERS, SCHEDULES, RunSettings, run_settings_schema
from kozak.training.settings import (
    OptimizerSettings,
    ScheduleSettings,
    build_optimizer,
    build_schedule,
    resolve_device,
)


def test_defaults_follow_the_paper() -> None:
    s = RunSettings()
    assert (s.batch_size, s.optimizer.name, s.optimizer.lr, s.optimizer.eps) == (32, "adam", 1e-3, 1e-8)
    assert s.optimizer.betas == (0.9, 0.999) and s.seed == 0 and s.device == "auto"
    assert (s.training_subset, s.validation_subset) == ("training", "validation")


def test_invalid_settings_list_every_problem() -> None:
    with pytest.raises(InvalidConfig) as caught:
        RunSettings.from_data(
            {"batch_size": 0, "optimizer": {"name": "lion"}, "shuffle": True, "gradient_clip": -1}
        )
    problems = caught.value.details["problems"]
    assert len(problems) == 4
    joined = " ".join(problems)
    for field in ("batch_size", "optimizer.name", "shuffle", "gradient_clip"):
        assert field in joined
    assert caught.value.code == "invalid_config"


def test_settings_are_frozen_and_round_trip_through_json() -> None:
    s = RunSettings(epochs=3, schedule=ScheduleSettings(kind="cosine", warmup_epochs=1))
    with pytest.raises(ValidationError):
        s.epochs = 4  # type: ignore[misc]
    assert RunSettings.model_validate_json(s.model_dump_json()) == s


def test_schema_describes_every_field() -> None:
    schema = run_settings_schema()
    assert schema["additionalProperties"] is False
    models = [schema, *schema["$defs"].values()]
    for model in models:
        for name, prop in model["properties"].items():
            assert prop.get("description"), name


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_every_optimizer_builds_and_steps(name: str) -> None:
    model = torch.nn.Linear(3, 1)
    optimizer = build_optimizer(model, OptimizerSettings(name=name, lr=0.01, momentum=0.5))
    model(torch.ones(2, 3)).sum().backward()
    before = model.weight.detach().clone()
    optimizer.step()
    assert not torch.equal(before, model.weight)


def test_optimizer_names_match_the_settings_choices() -> None:
    schema = OptimizerSettings.model_json_schema()
    assert sorted(schema["properties"]["name"]["enum"]) == OPTIMIZERS.names()
    kinds = ScheduleSettings.model_json_schema()["properties"]["kind"]["enum"]
    assert sorted(kinds) == SCHEDULES.names()


def test_nesterov_without_momentum_is_refused() -> None:
    with pytest.raises(InvalidConfig, match="momentum"):
        build_optimizer(torch.nn.Linear(1, 1), OptimizerSettings(name="sgd", nesterov=True))


def _lrs(schedule: ScheduleSettings, epochs: int, metrics: list[float] | None = None) -> list[float]:
    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    sched = build_schedule(optimizer, RunSettings(epochs=epochs, schedule=schedule))
    lrs = []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        sched.step(metrics[epoch] if metrics else 1.0)
    return lrs


def test_schedules() -> None:
    assert _lrs(ScheduleSettings(), 3) == [1.0, 1.0, 1.0]
    assert _lrs(ScheduleSettings(kind="step", step_size=2, gamma=0.5), 5) == [1, 1, 0.5, 0.5, 0.25]
    assert _lrs(ScheduleSettings(kind="exponential", gamma=0.5), 3) == [1, 0.5, 0.25]
    cosine = _lrs(ScheduleSettings(kind="cosine", warmup_epochs=1), 5)
    assert cosine[0] == pytest.approx(0.5) and cosine[1] == pytest.approx(1.0)
    assert cosine[1] > cosine[2] > cosine[3] > cosine[4] > 0
    plateau = _lrs(ScheduleSettings(kind="plateau", patience=0, factor=0.5), 4, [1.0, 2.0, 2.0, 0.5])
    assert plateau == [1.0, 1.0, 0.5, 0.25]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_device_is_refused() -> None:
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(InvalidConfig, match="CUDA"):
        resolve_device("cuda")

"""The lock (`requirements.lock`) pins every package pyproject.toml names, within its range.

`make install` installs through the lock, so a package named in pyproject.toml but missing from the
lock would be resolved afresh on every new machine: the drift the lock exists to stop.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "kozak"


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, (
            f"requirements.lock line {number}: {line!r} is not pinned as NAME==VERSION"
        )
        pins[canonicalize_name(name)] = Version(version)
    return pins


def _declared() -> list[tuple[str, Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [("dependencies", Requirement(r)) for r in project["dependencies"]]
    for extra, requirements in project["optional-dependencies"].items():
        declared += [(f"optional-dependencies.{extra}", Requirement(r)) for r in requirements]
    return [(where, r) for where, r in declared if canonicalize_name(r.name) != PROJECT]


DECLARED = _declared()


@pytest.mark.parametrize(("where", "requirement"), DECLARED, ids=[str(r) for _, r in DECLARED])
def test_every_declared_package_is_pinned_within_its_range(where: str, requirement: Requirement) -> None:
    pins = _pins()
    name = canonicalize_name(requirement.name)
    assert name in pins, (
        f"pyproject.toml {where} names {requirement.name!r}, which requirements.lock does not pin: "
        "run `make lock` and commit the lock"
    )
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"requirements.lock pins {name}=={pins[name]}, outside pyproject.toml's {requirement}: "
        "run `make lock`"
    )


def test_the_lock_pins_the_build_tools_and_not_the_project_itself() -> None:
    pins = _pins()
    assert {"pip", "setuptools", "wheel", "torch"} <= set(pins)
    assert PROJECT not in pins

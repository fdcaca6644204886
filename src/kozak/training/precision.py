"""Numeric precision of a run: what `auto | fp32 | bf16 | fp16` means on a device, and why.

`resolve_precision(requested, device)` returns a `PrecisionChoice`: the autocast dtype (none for
fp32), whether gradients need a scaler (fp16), the dtype inputs are built in, and a sentence
saying why. `auto` is bf16 on CPUs with native bfloat16 (AMX or AVX-512-BF16, detected) and on
GPUs that support it, fp16 with a gradient scaler on other GPUs, and fp32 elsewhere; the
`KOZAK_AUTO_PRECISION` environment variable (fp32, bf16 or fp16) overrides what `auto` picks.

Training and inference resolve alike. bf16 training once scored lower than fp32 on the native
library's recipe (early stopping on validation loss, patience 0). Two causes, both measured
(docs/training.md, Accuracy): torch's CPU dropout rounded its 1/(1-p) scale to bfloat16, so
training saw activations 0.28 % larger per layer than evaluation (the Dropout block now applies
the exact scale, `kozak.blocks.layers.Dropout`); and patience 0 stops on the first epoch-to-
epoch rise of the validation loss, which any numeric change moves (fp32 itself, on one thread
of another CPU instead of two, stopped after epoch 2 instead of 6 on seed 1). Like for like,
bf16 tracks fp32 there epoch for epoch.
"""

from __future__ import annotations

import functools
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import torch

from kozak.errors import InvalidConfig

Precision = Literal["auto", "fp32", "bf16", "fp16"]
Resolved = Literal["fp32", "bf16", "fp16"]
AUTO_OVERRIDE = "KOZAK_AUTO_PRECISION"
DTYPES: dict[Resolved, torch.dtype] = {
    "fp32": torch.float32,
    "bf16": torch.bfloat16,
    "fp16": torch.float16,
}


@dataclass(frozen=True)
class PrecisionChoice:
    """The precision a run uses on one device.

    Attributes:
        requested: What the settings asked for.
        used: What runs: fp32, or bf16/fp16 autocast (weights, losses and optimizer stay fp32).
        device_type: `cpu` or `cuda`.
        reason: Why, in a sentence a user can act on.
    """

    requested: Precision
    used: Resolved
    device_type: str
    reason: str

    @property
    def dtype(self) -> torch.dtype:
        """The compute dtype; one-hot sequence inputs are built in it (0 and 1 are exact)."""
        return DTYPES[self.used]

    @property
    def scaled(self) -> bool:
        """Whether the loss is scaled before backward (fp16's narrow range underflows otherwise)."""
        return self.used == "fp16"

    def autocast(self) -> AbstractContextManager[None]:
        """The autocast context of the forward pass (a no-op for fp32)."""
        return torch.autocast(self.device_type, dtype=self.dtype, enabled=self.used != "fp32")

    def grad_scaler(self) -> torch.amp.GradScaler:
        """A gradient scaler, enabled only for fp16."""
        return torch.amp.GradScaler(self.device_type, enabled=self.scaled)

    def describe(self) -> dict[str, str]:
        """`{"requested", "used", "device", "reason"}`, as checkpoints and reports store it."""
        return {
            "requested": self.requested,
            "used": self.used,
            "device": self.device_type,
            "reason": self.reason,
        }


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


@functools.cache
def cpu_bfloat16() -> tuple[bool, str]:
    """(whether this CPU multiplies bfloat16 natively, the evidence in words).

    PyTorch's own CPU probe decides (it works on every OS); the kernel's flags, where there are
    any, are named in the evidence too.
    """
    units = []
    if torch.cpu._is_amx_tile_supported():
        units.append("AMX")
    if torch.cpu._is_avx512_bf16_supported():
        units.append("AVX-512-BF16")
    flags = sorted(_cpu_flags() & {"amx_bf16", "avx512_bf16"})
    seen = f" (/proc/cpuinfo: {', '.join(flags)})" if flags else ""
    capability = torch.backends.cpu.get_cpu_capability()
    if units:
        return True, f"the CPU has {' and '.join(units)}{seen}: native bfloat16 matrix multiplies"
    return False, (
        f"the CPU has no native bfloat16 (no AMX or AVX-512-BF16; vector unit {capability}), "
        "where bfloat16 is emulated and slower than fp32"
    )


def _cuda_bfloat16(device: torch.device) -> tuple[bool, str]:
    name = torch.cuda.get_device_name(device)
    if torch.cuda.is_bf16_supported(including_emulation=False):
        return True, f"the GPU ({name}) supports bfloat16"
    return False, f"the GPU ({name}) has no native bfloat16"


def _auto(device: torch.device) -> tuple[Resolved, str]:
    override = os.environ.get(AUTO_OVERRIDE, "").strip()
    if override:
        if override not in DTYPES:
            raise InvalidConfig(
                f"{AUTO_OVERRIDE}={override!r} is not one of {', '.join(DTYPES)}",
                variable=AUTO_OVERRIDE,
            )
        return override, f"{AUTO_OVERRIDE}={override} is set on this machine"
    if device.type == "cpu":
        native, evidence = cpu_bfloat16()
        return ("bf16" if native else "fp32"), evidence
    if device.type == "cuda":
        native, evidence = _cuda_bfloat16(device)
        if native:
            return "bf16", evidence
        return "fp16", f"{evidence}: float16 with a gradient scaler"
    return "fp32", f"no reduced precision is known to pay on {device.type} devices"


def resolve_precision(requested: str, device: torch.device | str) -> PrecisionChoice:
    """What `requested` (a `RunSettings.precision` value) means on `device`, in training and in
    inference alike.

    Raises:
        InvalidConfig: For an unknown name, bf16 on a GPU without it, or a reduced precision on
            a device type autocast does not support; or a bad `KOZAK_AUTO_PRECISION`.
    """
    device = torch.device(device)
    if requested not in get_args(Precision):
        raise InvalidConfig(
            f"precision {requested!r} is not one of {', '.join(get_args(Precision))}",
            field="precision",
        )
    if requested == "auto":
        used, reason = _auto(device)
        return PrecisionChoice("auto", used, device.type, reason)
    used = requested  # type: ignore[assignment]
    if used != "fp32" and device.type not in ("cpu", "cuda"):
        raise InvalidConfig(
            f"precision {used!r} is not available on {device.type}; use fp32 or auto",
            field="precision",
        )
    if used == "bf16" and device.type == "cuda" and not _cuda_bfloat16(device)[0]:
        raise InvalidConfig(
            f"precision 'bf16': {_cuda_bfloat16(device)[1]}; use fp16 or auto", field="precision"
        )
    reason = "set in the run settings"
    if used == "bf16" and device.type == "cpu" and not cpu_bfloat16()[0]:
        reason += f", although {cpu_bfloat16()[1]}"
    return PrecisionChoice(requested, used, device.type, reason)  # type: ignore[arg-type]

"""Model-guided sequence design: evolve sequences toward what trained models predict.

`run_design` runs a strategy from `strategies` (the paper's greedy ascent, beam search,
simulated annealing) over the shared scorer (`kozak.deploy.scoring`), under an `Objective` and
`Constraints` (`settings`); `results` holds the outcome and its CSV and FASTA exports; `starts`
reads start sequences from text, a dataset version or at random; `records` keeps designs in a
workspace.
"""

from kozak.design.engine import run_design
from kozak.design.results import DesignResult, designs_csv, designs_fasta
from kozak.design.settings import Constraints, DesignSettings, Objective
from kozak.design.strategies import STRATEGIES

__all__ = [
    "STRATEGIES",
    "Constraints",
    "DesignResult",
    "DesignSettings",
    "Objective",
    "designs_csv",
    "designs_fasta",
    "run_design",
]

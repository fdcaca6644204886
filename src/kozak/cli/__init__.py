"""The `kozak` command line: one Typer app with a sub-app per resource.

Every command calls the same library functions the server uses, never the HTTP API.
"""

from __future__ import annotations

import typer

from kozak.cli import (
    datasets,
    db,
    deployments,
    design,
    example,
    experiments,
    export,
    login,
    models,
    motifs,
    predict,
    serve,
    server,
    sweeps,
    users,
    worker,
)
from kozak.cli.common import run_command

app = typer.Typer(
    name="kozak",
    help="Kozak: deep learning for biological sequences.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(datasets.app, name="datasets")
app.add_typer(db.app, name="db")
app.add_typer(deployments.app, name="deployments")
app.add_typer(design.app, name="design")
app.add_typer(example.app, name="example")
app.add_typer(experiments.app, name="experiments")
app.command("run")(experiments.run_command)
app.command("evaluate")(experiments.evaluate_command)
app.command("report")(experiments.report_command)
app.command("export")(export.export_command)
app.command("predict")(predict.predict_command)
app.add_typer(models.app, name="models")
app.add_typer(motifs.app, name="motifs")
app.command("up")(server.up_command)
app.command("serve")(serve.serve_command)
app.command("worker")(worker.worker_command)
app.command("login")(login.login_command)
app.add_typer(users.app, name="users")
app.add_typer(sweeps.app, name="sweep")
sweeps.app.command("run")(sweeps.run_command)


def main() -> None:
    """Console-script entry point."""
    run_command(app)

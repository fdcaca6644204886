"""`kozak.client`: the Python client of a Kozak server's REST API.

`Client(url, token)` — both default to `KOZAK_SERVER` / `KOZAK_TOKEN`, then to the file `kozak
login` writes (`~/.config/kozak/credentials.json`, override with `KOZAK_CREDENTIALS`). Errors
come back as the same `KozakError` subclasses the library raises, with the server's message.
`Client.deployment(id)` gives a deployment's prediction client (`kozak.deployment_client`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import yaml

from kozak.deployment_client import Deployment
from kozak.errors import JobFailed, NetworkError, NotAuthenticated
from kozak.http_errors import raise_for_error
from kozak.store.statuses import EXPERIMENT_FINISHED


def credentials_path() -> Path:
    """Where `kozak login` keeps the server URL and token."""
    default = Path.home() / ".config" / "kozak" / "credentials.json"
    return Path(os.environ.get("KOZAK_CREDENTIALS", default))


def save_credentials(url: str, token: str) -> Path:
    """Remember a server and token for later commands (readable by the user only)."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps({"url": url, "token": token}))
    return path


def _saved_credentials() -> dict[str, str]:
    path = credentials_path()
    if not path.exists():
        return {}
    found: dict[str, str] = json.loads(path.read_text())
    return found


def parse_sse(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Events of a `text/event-stream`: `{"id", "event", "data"}` with `data` decoded from JSON."""
    event: dict[str, Any] = {}
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield {"id": event.get("id"), "event": event.get("event", "message"), **{
                    "data": json.loads("\n".join(data))
                }}  # fmt: skip
            event, data = {}, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field in ("id", "event"):
                event[field] = value


class Client:
    """A Kozak server, as one user.

    Args:
        url: Server root, e.g. `http://127.0.0.1:8000`.
        token: An API token (`kozak users tokens create` or the UI's token page).
        timeout: Seconds per request.
        transport: An httpx transport (tests pass the app's ASGI/WSGI transport).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        saved = _saved_credentials()
        self.url = (url or os.environ.get("KOZAK_SERVER") or saved.get("url") or "").rstrip("/")
        if not self.url:
            raise NotAuthenticated("no server given: pass url=, set KOZAK_SERVER or run `kozak login`")
        token = token or os.environ.get("KOZAK_TOKEN") or saved.get("token")
        # X-Requested-With: what a server without log-in asks of programs before any change.
        headers = {"X-Requested-With": "kozak-client"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call under `/api`; the decoded JSON body (None for 204)."""
        try:
            response = self.http.request(method, f"/api{path}", **kwargs)
        except httpx.TransportError as exc:
            raise NetworkError(f"cannot reach the Kozak server at {self.url}: {exc}") from exc
        raise_for_error(response)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=body, **kwargs)

    def iterate(self, path: str, page_size: int = 500, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, fetching pages of `page_size` as the loop goes.

        `params` are the list's filters and `sort` (e.g. `q="cnn"`, `status=["completed"]`,
        `sort="best"`); the server's `next_cursor` carries them from page to page.
        """
        query: dict[str, Any] = {**params, "limit": page_size}
        while True:
            page = self.get(path, params=query)
            yield from page["data"]
            if not page.get("next_cursor"):
                return
            query["cursor"] = page["next_cursor"]

    # Account
    def health(self) -> dict[str, Any]:
        """Server status and version."""
        found: dict[str, Any] = self.get("/health")
        return found

    def login(self, name: str, password: str, token_name: str = "kozak client") -> str:
        """Create an API token from a user name and password, use it, and return it."""
        session = httpx.Client(base_url=self.url, timeout=self.http.timeout)
        with session:
            answer = session.post("/api/auth/login", json={"name": name, "password": password})
            raise_for_error(answer)
            csrf = answer.json()["csrf_token"]
            created = session.post(
                "/api/tokens", json={"name": token_name}, headers={"X-CSRF-Token": csrf}
            )
            raise_for_error(created)
        token: str = created.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        return token

    # Deployments
    def deployment(self, deployment_id: str, token: str | None = None) -> Deployment:
        """One deployment's endpoints (forward, schema, variant effect) over this connection.

        Args:
            deployment_id: The id in the deployment's URL.
            token: The deployment's token; default this client's token.
        """
        own = self.http.headers.get("authorization", "").removeprefix("Bearer ")
        return Deployment(f"{self.url}/deployment/{deployment_id}", token or own or None, http=self.http)

    # Projects
    def projects(self, **filters: Any) -> list[dict[str, Any]]:
        """The projects you are a member of (`q=` a part of the name, `sort=` created or name)."""
        return list(self.iterate("/projects", **filters))

    def create_project(self, name: str, description: str = "") -> Project:
        """A new project you own."""
        return Project(self, self.post("/projects", {"name": name, "description": description}))

    def project(self, ref: str) -> Project:
        """A project by id or name."""
        return Project(self, self.get(f"/projects/{ref}"))

    def project_or_create(self, name: str) -> Project:
        """The project called `name`, created (owned by you) when you have none by that name."""
        found = [p for p in self.projects() if p["name"] == name]
        return Project(self, found[0]) if found else self.create_project(name)

    def run_file(
        self, path: Path, on_event: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        """`kozak run FILE.yaml` on the server: upload or find the data, create, run, wait.

        Returns:
            The finished experiment.
        """
        from kozak.experiments.experiment_file import ExperimentFile  # the file format, not the library
        from kozak.store.names import free_name

        spec = ExperimentFile.load(path)
        project = self.project_or_create(spec.project)
        data = spec.dataset
        if data.files:
            version = project.create_dataset(
                data.name,
                [path.parent / f for f in data.files],
                rename=data.rename,
                encoding={k: v.model_dump(mode="json") for k, v in data.encoding.items()},
                subsets=None
                if data.subsets is None
                else [s.model_dump(mode="json") for s in data.subsets],
                version_name=data.version,
            )
            choice: dict[str, Any] = {"dataset_version_id": version["id"]}
        else:
            choice = {"dataset": data.name, "version": data.version}
        model = spec.model
        if model.file is not None:
            choice["graph"] = yaml.safe_load((path.parent / model.file).read_text())
        else:
            choice.update(
                {"graph": model.graph} if model.graph is not None else {"preset": model.preset}
            )
        settings = spec.settings.model_dump(mode="json", exclude_unset=True)
        name = free_name(spec.name, {e["name"] for e in project.experiments()})
        created = project.create_experiment(name, settings=settings, run=True, **choice)
        return project.wait(created["id"], on_event)


class Project:
    """One project on the server: its datasets, experiments, jobs and events."""

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self.client = client
        self.data = data
        self.id: str = data["id"]
        self.name: str = data["name"]
        self.path = f"/projects/{self.id}"

    def __repr__(self) -> str:
        return f"Project({self.name!r}, id={self.id!r})"

    # Datasets
    def datasets(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's datasets with their versions (`q=` a part of the name)."""
        return list(self.client.iterate(f"{self.path}/datasets", **filters))

    def upload(self, draft_id: str, file: Path) -> dict[str, Any]:
        """Stream one file into a draft; returns the draft with what was detected."""
        with file.open("rb") as handle:
            found: dict[str, Any] = self.client.request(
                "PUT", f"{self.path}/drafts/{draft_id}/files/{file.name}", content=handle
            )
        return found

    def create_dataset(
        self,
        name: str,
        files: Sequence[Path],
        *,
        rename: dict[str, str] | None = None,
        encoding: dict[str, dict[str, Any]] | None = None,
        subsets: Sequence[dict[str, Any]] | None = None,
        normalize_on: str | None = None,
        version_name: str | None = None,
    ) -> dict[str, Any]:
        """Upload files as a new dataset (or a new version of `name`) and save a version.

        Args:
            name: Dataset name.
            files: Files read column-wise together (CSV, TSV, Parquet, NPY, NPZ, FASTA, ZIP).
            rename: Feature renames, old → new (e.g. `{"UTR": "seq"}`).
            encoding: Sequence encodings by feature (`{"seq": {"length": 50, "padding": 10}}`).
            subsets: Subsets replacing the default split (as in the experiment-file format).
            normalize_on: Subset the normalization statistics come from.
            version_name: Name of the version (default v1, v2, ...).

        Returns:
            The saved version.
        """
        draft = self.client.post(f"{self.path}/drafts", {"name": name})
        drafts = f"{self.path}/drafts/{draft['id']}"
        try:
            for file in files:
                self.upload(draft["id"], Path(file))
            for old, new in (rename or {}).items():
                self.client.request("PATCH", f"{drafts}/features/{old}", json={"name": new})
            for feature, fields in (encoding or {}).items():
                self.client.request("PATCH", f"{drafts}/features/{feature}", json={"encoding": fields})
            if subsets is not None:
                current = self.client.get(drafts)["spec"]["subsets"]
                for subset in current:
                    self.client.request("DELETE", f"{drafts}/subsets/{subset['name']}")
                for subset in subsets:
                    self.client.post(f"{drafts}/subsets", subset)
            if normalize_on is not None:
                self.client.request("PATCH", f"{drafts}/options", json={"normalize_on": normalize_on})
            version: dict[str, Any] = self.client.post(f"{drafts}/save", {"version_name": version_name})
        except BaseException:
            self.client.request("DELETE", drafts)  # leave no half-made draft behind
            raise
        return version

    # Experiments
    def experiments(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's experiments with status, progress and best metric.

        `filters` narrow and order them as the API's list does: `q` (a part of the name),
        `status` (a list), `dataset_version_id`, `parent_id`, `best_metric`, `best_min`,
        `best_max`, `sort` (`best`, `-updated`, ...). `iter_experiments` pages lazily.
        """
        return list(self.iter_experiments(**filters))

    def iter_experiments(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """The project's experiments, a page at a time (see `experiments` for `filters`)."""
        return self.client.iterate(f"{self.path}/experiments", **filters)

    def experiment(self, ref: str) -> dict[str, Any]:
        """One experiment by id or name, with its graph and settings."""
        found: dict[str, Any] = self.client.get(f"{self.path}/experiments/{ref}")
        return found

    def create_experiment(self, name: str, **choices: Any) -> dict[str, Any]:
        """A new experiment: `dataset`/`version` or `dataset_version_id`, `preset` or `graph`,
        `settings` (changes from the defaults), `run=True` to queue it at once."""
        found: dict[str, Any] = self.client.post(f"{self.path}/experiments", {"name": name, **choices})
        return found

    # Deployments
    def deployments(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's deployments (without tokens); `q=` a part of the name."""
        return list(self.client.iterate(f"{self.path}/deployments", **filters))

    def deploy(
        self,
        experiment: str,
        checkpoint: str | int = "best",
        name: str | None = None,
        enabled: bool = True,
    ) -> dict[str, Any]:
        """Deploy an experiment's checkpoint; the answer's `token` is shown only this once.

        Call it with `client.deployment(answer["id"], token=answer["token"]).predict(rows)`.
        """
        body = {"experiment": experiment, "checkpoint": checkpoint, "name": name, "enabled": enabled}
        found: dict[str, Any] = self.client.post(f"{self.path}/deployments", body)
        return found

    def run(self, experiment: str) -> dict[str, Any]:
        """Queue an experiment's training; returns the job."""
        found: dict[str, Any] = self.client.post(f"{self.path}/experiments/{experiment}/run")
        return found

    def stop(self, experiment: str) -> dict[str, Any]:
        """Ask a queued or running experiment to stop."""
        found: dict[str, Any] = self.client.post(f"{self.path}/experiments/{experiment}/stop")
        return found

    def epochs(self, experiment: str) -> list[dict[str, Any]]:
        """Per-epoch metrics so far."""
        found: list[dict[str, Any]] = self.client.get(f"{self.path}/experiments/{experiment}/epochs")[
            "data"
        ]
        return found

    def evaluation(self, experiment: str, checkpoint: str = "best") -> dict[str, Any]:
        """Metrics and plot data per subset of a trained experiment."""
        found: dict[str, Any] = self.client.get(
            f"{self.path}/experiments/{experiment}/evaluation", params={"checkpoint": checkpoint}
        )
        return found

    def filters(self, experiment: str, checkpoint: str = "best", **settings: Any) -> dict[str, Any]:
        """The first convolution's filters as motifs (`settings`: threshold, top_k, subset,
        sequences, influence_sequences, pseudocount, layer, target, category, seed)."""
        body = {"checkpoint": checkpoint, "settings": settings}
        found: dict[str, Any] = self.client.post(f"{self.path}/experiments/{experiment}/filters", body)
        return found

    def filters_meme(self, experiment: str, checkpoint: str = "best", **settings: Any) -> str:
        """The filter motifs as a MEME file's text."""
        body = {"checkpoint": checkpoint, "settings": settings}
        found: bytes = self.client.post(f"{self.path}/experiments/{experiment}/filters.meme", body)
        return found.decode()

    def compare_filters(
        self,
        experiment: str,
        database: str,
        matches: int = 3,
        checkpoint: str = "best",
        **settings: Any,
    ) -> dict[str, Any]:
        """Each filter's best TomTom matches in `database` (a MEME file's text)."""
        body = {"checkpoint": checkpoint, "settings": settings, "database": database, "matches": matches}
        found: dict[str, Any] = self.client.post(
            f"{self.path}/experiments/{experiment}/filters/compare", body
        )
        return found

    def motif_effects(
        self, experiment: str, motif: str = "ATG", checkpoint: str = "best", **settings: Any
    ) -> dict[str, Any]:
        """A motif's mean predicted effect by position and frame, inserted and deleted
        (`settings`: subset, sequences, draws, target, category, seed)."""
        body = {"checkpoint": checkpoint, "settings": {"motif": motif, **settings}}
        found: dict[str, Any] = self.client.post(
            f"{self.path}/experiments/{experiment}/motif-effects", body
        )
        return found

    def designs(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's designs, oldest first (`q`: a part of the name; `sort`: `name`, ...)."""
        return list(self.client.iterate(f"{self.path}/designs", **filters))

    def design(
        self,
        experiments: str | Sequence[str],
        starts: dict[str, Any] | Sequence[str],
        settings: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        checkpoint: str = "best",
        wait: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Design sequences with one experiment or an ensemble; by default wait for the result.

        Args:
            experiments: An experiment name or id, or several (an ensemble).
            starts: Start sequences (a list), or a `StartSequences` request (`{"source": ...}`).
            settings: `DesignSettings` as a dict (strategy, rounds, objective, constraints).
            name: The design's name.
            checkpoint: best, last or an epoch number.
            wait: Follow its job until it ends and return its result; else return the design.
            timeout: Seconds to wait at most.

        Raises:
            JobFailed: The design failed, or `timeout` passed first.
        """
        body = {
            "experiments": [experiments] if isinstance(experiments, str) else list(experiments),
            "starts": dict(starts) if isinstance(starts, dict) else {"sequences": list(starts)},
            "settings": settings or {},
            "checkpoint": checkpoint,
            **({"name": name} if name else {}),
        }
        design: dict[str, Any] = self.client.post(f"{self.path}/designs", body)
        if not wait:
            return design
        deadline = None if timeout is None else time.monotonic() + timeout
        while design["status"] in ("queued", "running"):
            if deadline is not None and time.monotonic() > deadline:
                raise JobFailed(f"design {design['name']!r} is still {design['status']}")
            time.sleep(0.5)
            design = self.client.get(f"{self.path}/designs/{design['id']}")
        if design["status"] == "failed":
            raise JobFailed(f"design {design['name']!r} failed: {design['message']}")
        return self.design_result(design["id"])

    def design_result(self, design: str) -> dict[str, Any]:
        """A design's result: designs with edits, trajectories, every round's predictions."""
        found: dict[str, Any] = self.client.get(f"{self.path}/designs/{design}/result")
        return found

    def export_design(self, design: str, format: str = "csv", **options: Any) -> str:
        """A design as CSV or FASTA text (`prefix`, `suffix`, `starts` for FASTA)."""
        params = {"format": format, **options}
        found: bytes = self.client.get(f"{self.path}/designs/{design}/export", params=params)
        return found.decode()

    def jobs(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's jobs, newest first (`status=[...]`, `experiment_id=`)."""
        return list(self.client.iterate(f"{self.path}/jobs", **filters))

    def events(
        self, *, experiment: str | None = None, after: int = 0, follow: bool = False
    ) -> Iterator[dict[str, Any]]:
        """The project's (or one experiment's) events after an id; `follow` keeps streaming."""
        path = f"{self.path}/experiments/{experiment}/events" if experiment else f"{self.path}/events"
        params = {"after": after, **({} if follow else {"once": 1})}
        with self.client.http.stream("GET", f"/api{path}", params=params, timeout=None) as response:
            if not response.is_success:
                response.read()
                raise_for_error(response)
            yield from parse_sse(response.iter_lines())

    def wait(
        self,
        experiment: str,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        *,
        poll_s: float = 1.0,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Follow an experiment's events until it completes, fails or stops; returns it.

        Raises:
            JobFailed: `timeout` seconds passed first.
        """
        after = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for event in self.events(experiment=experiment, after=after):
                after = int(event["id"])
                if on_event is not None:
                    on_event(event)
            found: dict[str, Any] = self.client.get(f"{self.path}/experiments/{experiment}")
            # Its job ends after the evaluation is stored and the last event is written.
            if found["status"] in EXPERIMENT_FINISHED and found.get("job") is None:
                for event in self.events(experiment=experiment, after=after):
                    if on_event is not None:
                        on_event(event)
                return found
            if deadline is not None and time.monotonic() > deadline:
                raise JobFailed(
                    f"experiment {experiment!r} is still {found['status']} after {timeout} s",
                    experiment=experiment,
                )
            time.sleep(poll_s)

    # Sweeps
    def sweeps(self, **filters: Any) -> list[dict[str, Any]]:
        """The project's sweeps with trial counts and best values, oldest first (`q`: a part of
        the name; `sort`: `name`, `status`, ...)."""
        return list(self.client.iterate(f"{self.path}/sweeps", **filters))

    def start_sweep(self, name: str, **spec: Any) -> dict[str, Any]:
        """Create a sweep (the sweep file's fields but `project`) and queue its first trials."""
        found: dict[str, Any] = self.client.post(f"{self.path}/sweeps", {"name": name, **spec})
        return found

    def sweep(self, ref: str) -> dict[str, Any]:
        """One sweep by id or name: trials, best-so-far curve, parameter importances."""
        found: dict[str, Any] = self.client.get(f"{self.path}/sweeps/{ref}")
        return found

    def stop_sweep(self, ref: str) -> dict[str, Any]:
        """Stop a sweep: no more trials; queued ones cancelled, running ones after their batch."""
        found: dict[str, Any] = self.client.post(f"{self.path}/sweeps/{ref}/stop")
        return found

    def best_trial(self, ref: str) -> dict[str, Any]:
        """The experiment of a sweep's best completed trial."""
        found: dict[str, Any] = self.client.get(f"{self.path}/sweeps/{ref}/best")
        return found

    def wait_sweep(
        self, ref: str, *, poll_s: float = 1.0, timeout: float | None = None
    ) -> dict[str, Any]:
        """Poll a sweep until it is no longer running; returns it.

        Raises:
            JobFailed: `timeout` seconds passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            found = self.sweep(ref)
            if found["status"] != "running":
                return found
            if deadline is not None and time.monotonic() > deadline:
                raise JobFailed(f"sweep {ref!r} is still running after {timeout} s", sweep=ref)
            time.sleep(poll_s)

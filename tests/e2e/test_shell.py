"""The application shell in a real browser: log-in, projects, members, views, jobs, themes.

A wrong password is refused; projects are created and searched; an owner invites a user and
sets their role; the four views open from the keyboard; a queued training job shows in the
running-jobs indicator and its experiment among the recent experiments;
the dark theme holds; nothing overflows a 1280×800 window; logging out returns to the log-in.
A view's code downloads when the view opens, and again after a failed download; the members
modal asks for members when it opens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, requests_to, sync_api

expect = sync_api.expect


def no_horizontal_overflow(page: Page) -> bool:
    overflow: bool = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    return overflow


def test_log_in_projects_members_views_and_themes(
    page: Page,
    live_server: LiveServer,
    tutorial_files: tuple[Path, Path],
    shot: Callable[[str], Path],
) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    client.post("/users", {"name": "ada", "password": "ada-password-1"})
    lab = client.create_project("Lab notes", "Everything else")
    lab.create_dataset(
        "Yeast",
        list(tutorial_files),
        rename={"rl": "growth_rate", "onehot": "seq"},
        subsets=[
            {
                "name": "training",
                "kind": "filter",
                "conditions": [{"feature": "subset", "op": "==", "value": "T"}],
            },
            {
                "name": "validation",
                "kind": "filter",
                "conditions": [{"feature": "subset", "op": "==", "value": "V"}],
            },
        ],
    )
    # No worker runs in these tests, so the job stays queued: the indicator must show it.
    lab.create_experiment("tutorial", dataset="Yeast", preset="cuperus2017-tutorial", run=True)

    page.goto("/")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_enabled()
    shot("login-refused")
    log_in(page)

    page.get_by_role("button", name="New project").first.click()
    page.get_by_label("Name").fill("Promoters")
    page.get_by_label("Description").fill("Strength of synthetic promoters")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("tab", name="Datasets")).to_have_attribute("aria-selected", "true")
    page.get_by_role("link", name="Projects", exact=True).click()
    expect(page.get_by_role("link", name="Open project Promoters")).to_be_visible()
    # recent experiments (other browser tests share the server and add their own projects)
    expect(page.get_by_role("link", name=re.compile(r"^tutorial Lab notes"))).to_be_visible()
    shot("projects")
    page.get_by_label("Search projects").fill("lab")
    expect(page.get_by_role("link", name="Open project Promoters")).to_be_hidden()
    page.get_by_role("link", name="Open project Lab notes").click()

    # Members: invite ada as a viewer, then make her an editor
    page.get_by_role("button", name="Members").click()
    dialog = page.get_by_role("dialog", name="Members of Lab notes")
    dialog.get_by_label("Invite a user").fill("ada")
    dialog.get_by_role("button", name="Invite").click()
    role = dialog.get_by_role("textbox", name="Role of ada")
    expect(role).to_have_value("Editor")
    role.click()
    page.get_by_role("option", name="Viewer").click()
    expect(role).to_have_value("Viewer")
    assert [
        m["role"] for m in client.get(f"/projects/{lab.id}/members")["data"] if m["user"] == "ada"
    ] == ["viewer"]
    shot("members")
    page.keyboard.press("Escape")

    # The queued job shows in the indicator; the views open from the keyboard
    indicator = page.get_by_test_id("running-jobs")
    expect(indicator).to_contain_text("tutorial · queued")  # one job: named, not counted
    page.get_by_role("tab", name="Datasets").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    # a view may open its latest item (the Modeling view opens the latest experiment)
    view_url = f"{live_server.url}/projects/{lab.id}/{{}}(/[^/]+)?$"
    expect(page).to_have_url(re.compile(view_url.format("modeling")))
    expect(page.get_by_role("tab", name="Modeling")).to_have_attribute("aria-selected", "true")
    shot("modeling")
    for view in ("Evaluation", "Deployment"):
        page.get_by_role("tab", name=view).click()
        expect(page).to_have_url(re.compile(view_url.format(view.lower())))
    indicator.click()
    expect(page.get_by_text("0 running, 1 queued")).to_be_visible()
    expect(page.get_by_role("dialog").get_by_text("tutorial")).to_be_visible()
    shot("jobs")
    page.keyboard.press("Escape")

    # The dark theme, on the dataset the client made
    page.get_by_role("tab", name="Datasets").click()
    expect(page.get_by_role("button", name="Switch dataset (now Yeast · v1)")).to_be_visible()
    page.get_by_role("button", name="Switch to the dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
    page.get_by_role("button", name="Column seq").click()
    expect(page.get_by_role("complementary", name="Inspector")).to_contain_text("right-aligned")
    page.mouse.move(0, 0)
    shot("dataset-dark")
    assert no_horizontal_overflow(page)

    page.get_by_role("button", name="Account menu of admin").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Kozak")).to_be_visible()


def test_a_view_loads_when_opened_and_after_a_failed_load(page: Page, live_server: LiveServer) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Views on demand")
    log_in(page)
    members = requests_to(page, r"/api/(users|projects/[^/]+/members)")
    page.goto(f"/projects/{project.id}/evaluation")
    expect(page.get_by_role("heading", name="No experiments yet")).to_be_visible()
    assert members == []  # the members modal asks when it opens, not with every project page

    # The Deployment view's code fails to download: the view says so, and the others still work.
    scripts = re.compile(r"/assets/.*\.js$")
    page.route(scripts, lambda route: route.abort())
    page.get_by_role("tab", name="Deployment").click()
    expect(page.get_by_text("This view could not be loaded")).to_be_visible()
    page.unroute(scripts)
    page.get_by_role("tab", name="Evaluation").click()
    expect(page.get_by_role("heading", name="No experiments yet")).to_be_visible()
    page.get_by_role("tab", name="Deployment").click()  # tried again, it loads
    expect(page.get_by_role("heading", name="Put a model to work")).to_be_visible()

    page.get_by_role("button", name="Members").click()
    expect(
        page.get_by_role("dialog", name="Members of Views on demand").get_by_text("admin")
    ).to_be_visible()
    assert members

"""The preview server as a user runs it: a real process, real HTTP, real file edits."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import AS_OF, ROOT, copy_sample

ALL = "/internal/accounts-1.html"  # every account of the sample, on the first page of the list
SAMPLE = "content/accounts/northwind-logistics.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    root: Path
    log: list[str] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str = "/") -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.url(path), timeout=10) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get_content_type(), error.read()

    def text(self, path: str = "/") -> str:
        return self.get(path)[2].decode("utf-8")

    def wait_for(self, condition: Callable[[], bool], seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, "the server died:\n" + "\n".join(self.log)
            time.sleep(0.1)
        raise AssertionError("timed out; server log:\n" + "\n".join(self.log))

    def rebuilds(self) -> int:
        return sum(line.startswith("preview: rebuilt") for line in self.log)


def start_server(root: Path, port: int | None = None) -> Server:
    port = port or free_port()
    exe = shutil.which("outcomesite") or str(Path(sys.executable).parent / "outcomesite")
    env = {
        **os.environ,
        "OUTCOMESITE_SECRET": "preview-secret-0123456789abcdef0123456789abcdef",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--as-of", AS_OF.isoformat()],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(process, port, root)
    assert process.stderr is not None
    stream = process.stderr

    def read() -> None:
        for line in stream:
            server.log.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return server


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy_sample(tmp_path)
    return tmp_path


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    running = start_server(site)
    running.wait_for(lambda: any(line.startswith("preview: http://") for line in running.log))
    yield running
    if running.process.poll() is None:
        running.process.send_signal(signal.SIGINT)
        try:
            running.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            running.process.kill()


def edit(root: Path, old: str, new: str) -> None:
    path = root / SAMPLE
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_index_edit_error_and_recovery(server: Server) -> None:
    status, kind, body = server.get("/")
    assert (status, kind) == (200, "text/html")
    assert "Overview" in body.decode() or "Needs a person" in body.decode()  # the first page
    assert 'src="/__outcomesite/reload.js"' in body.decode()
    assert "Northwind Logistics" in server.text(ALL)

    edit(server.root, "account: Northwind Logistics", "account: Northwind Freight")
    server.wait_for(lambda: "Northwind Freight" in server.text(ALL), seconds=5)

    edit(server.root, "    owner: Dana Reyes\n", "")
    server.wait_for(
        lambda: "outcomesite check found problems" in server.text("/internal/"), seconds=5
    )
    page = server.text("/internal/")
    assert (
        "content/accounts/northwind-logistics.md:15: error: result `onboarding-time`: "
        "`owner` is missing" in page.replace("&#x27;", "'")
    )
    # the last good build stays visible under the errors (on every internal page)
    assert "Northwind Freight" in server.text(ALL)
    assert "found problems" in server.text(ALL)
    assert any("`owner` is missing" in line for line in server.log)  # and the terminal says it
    assert server.process.poll() is None

    edit(server.root, "    category: cost\n", "    owner: Dana Reyes\n    category: cost\n")
    server.wait_for(lambda: "found problems" not in server.text("/internal/"), seconds=5)


def test_reports_are_one_click_away_and_pdfs_render_on_demand(server: Server) -> None:
    index = server.text(ALL)
    href = index.split('href="../public/r/', 1)[1].split('"', 1)[0]
    report = server.text(f"/public/r/{href}")
    assert "Outcome report" in report
    pdf_name = report.split('href="', 1)[0]  # first link target after this is the PDF download
    pdf_href = next(
        part.split('"', 1)[0]
        for part in report.split('href="')[1:]
        if part.split('"', 1)[0].endswith(".pdf")
    )
    assert pdf_name is not None
    status, kind, data = server.get(f"/public/r/{href}{pdf_href}")
    assert (status, kind) == (200, "application/pdf")
    assert data.startswith(b"%PDF-")
    assert not list((server.root / ".outcomesite" / "preview").rglob("*.pdf"))  # never on save


def test_a_burst_of_saves_causes_one_rebuild(server: Server) -> None:
    before = server.rebuilds()
    path = server.root / SAMPLE
    text = path.read_text(encoding="utf-8")
    for n in range(5):  # an editor writing a temp file, then renaming it over the original
        temp = path.with_name(f".northwind-logistics.md.tmp{n}")
        temp.write_text(text.replace("Northwind Logistics", f"Northwind {n}"), encoding="utf-8")
        os.replace(temp, path)
        time.sleep(0.03)
    server.wait_for(lambda: "Northwind 4" in server.text(ALL), seconds=5)
    # One more save, seen once it is served: had the burst caused more than one rebuild, the
    # extra ones would have come before it.
    path.write_text(text.replace("Northwind Logistics", "Northwind after"), encoding="utf-8")
    server.wait_for(lambda: "Northwind after" in server.text(ALL), seconds=5)
    server.wait_for(lambda: server.rebuilds() >= before + 2, seconds=5)
    assert server.rebuilds() == before + 2, server.log


def test_ctrl_c_exits_cleanly(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    time.sleep(0.2)
    assert "preview: stopped" in server.log
    assert not any("Traceback" in line for line in server.log)


def test_ctrl_c_right_after_the_first_build_stops_the_same_way(site: Path) -> None:
    """Before the server answers (the first build just done), Ctrl-C is no "interrupted" error."""
    running = start_server(site)
    running.wait_for(lambda: any(line.startswith("preview: rebuilt") for line in running.log))
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=10) == 0
    time.sleep(0.2)
    assert "preview: stopped" in running.log
    assert not any("interrupted" in line or "Traceback" in line for line in running.log)


def test_a_port_in_use_is_a_clear_error(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        second = start_server(site, port)
        assert second.process.wait(timeout=20) == 2
        time.sleep(0.2)
    assert any(
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use): choose another --port"
        in line
        for line in second.log
    ), second.log


def test_a_broken_site_still_serves_the_errors(site: Path) -> None:
    path = site / SAMPLE
    path.write_text(
        path.read_text(encoding="utf-8").replace("segment: enterprise", "segment: huge"),
        encoding="utf-8",
    )
    running = start_server(site)
    try:
        running.wait_for(lambda: any(line.startswith("preview: http://") for line in running.log))
        page = running.text("/internal/")
        assert "outcomesite check found problems" in page
        assert "segment" in page and "huge" in page
        path.write_text(
            path.read_text(encoding="utf-8").replace("segment: huge", "segment: enterprise"),
            encoding="utf-8",
        )
        running.wait_for(lambda: "Northwind Logistics" in running.text(ALL), seconds=5)
    finally:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=10)


def test_the_open_page_reloads_by_itself_in_a_browser(server: Server) -> None:
    """Real Chromium: after a save, the open report shows the change without anyone reloading."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, LAUNCH_ARGS

    index = server.text(ALL)
    row = index.split("Northwind Logistics", 1)[1]  # Northwind's row: its report link follows
    href = row.split('href="../public/r/', 1)[1].split('"', 1)[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server.url(f"/public/r/{href}"))
            assert "Northwind Logistics" in page.inner_text("h1")
            page.evaluate("window.__marker = 'same page'")
            edit(server.root, "account: Northwind Logistics", "account: Northwind Reloaded")

            # Polled from here: wait_for_function would need 'unsafe-eval', which the CSP forbids.
            def reloaded() -> bool:
                try:
                    return "Northwind Reloaded" in page.inner_text("h1", timeout=1000)
                except PlaywrightError:  # the page is mid-navigation
                    return False

            server.wait_for(reloaded, seconds=10)
            # It was a reload, not a script editing the page in place.
            assert page.evaluate("window.__marker === undefined")
            assert errors == []
        finally:
            browser.close()


def raw_request(port: int, method: str, path: str, host: str) -> tuple[int, bytes]:
    """One HTTP request with the Host header a page elsewhere could send after DNS rebinding."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path", ["/", "/internal/", "/internal/index.json", "/__outcomesite/events", "/public/"]
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_request_for_another_host_gets_no_content(server: Server, path: str, method: str) -> None:
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1", "localhost:1"):
        status, body = raw_request(server.port, method, path, host)
        assert status == 421, (host, status)
        assert b"Northwind" not in body and b"/r/" not in body
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        if path != "/__outcomesite/events":
            status, body = raw_request(server.port, method, path, host)
            assert status in (200, 302), (host, status)


def test_a_template_that_crashes_is_shown_and_the_preview_recovers(site: Path) -> None:
    """A theme error once killed the rebuild thread silently: saves were never rebuilt again."""
    templates = site / "themes/brand/templates"
    templates.mkdir(parents=True)
    (site / "outcomesite.yaml").write_text("theme: brand\n", encoding="utf-8")
    running = start_server(site)
    try:
        running.wait_for(lambda: any(line.startswith("preview: http://") for line in running.log))
        assert "Northwind Logistics" in running.text(ALL)
        (templates / "report.html").write_text(
            '{% extends "default/report.html" %}{% block meta %}{{ 1 / 0 }}{% endblock %}\n',
            encoding="utf-8",
        )
        running.wait_for(lambda: "ZeroDivisionError" in running.text("/internal/"), seconds=10)
        assert "template report.html:1" in running.text("/internal/")
        (templates / "report.html").unlink()
        running.wait_for(lambda: "found problems" not in running.text("/internal/"), seconds=10)
        edit(site, "account: Northwind Logistics", "account: Northwind After The Crash")
        running.wait_for(lambda: "Northwind After The Crash" in running.text(ALL), seconds=10)
        assert not any("Traceback" in line for line in running.log), running.log
    finally:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=10)


def test_a_logo_outside_content_and_themes_is_watched(site: Path) -> None:
    """`init` suggests `logo: assets/logo.svg`: saving the logo must rebuild the preview."""
    chart = ROOT / "content" / "accounts" / "northwind-logistics" / "chart.png"
    (site / "assets").mkdir()
    (site / "assets" / "logo.png").write_bytes(chart.read_bytes())
    (site / "outcomesite.yaml").write_text("logo: assets/logo.png\n", encoding="utf-8")
    running = start_server(site)
    try:
        running.wait_for(lambda: any(line.startswith("preview: http://") for line in running.log))
        assert running.get("/public/assets/logo.png")[2] == chart.read_bytes()
        before = running.rebuilds()
        smaller = chart.read_bytes()[:-1]  # another file, still a PNG by its first bytes
        (site / "assets" / "logo.png").write_bytes(smaller)
        running.wait_for(lambda: running.get("/public/assets/logo.png")[2] == smaller, seconds=10)
        # The rebuild's log line may come a moment after its files are in place.
        running.wait_for(lambda: running.rebuilds() > before, seconds=10)
    finally:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=10)


def test_with_a_base_url_every_link_stays_in_the_preview(site: Path) -> None:
    (site / "outcomesite.yaml").write_text(
        "base_url: https://reports.example.com/\n", encoding="utf-8"
    )
    running = start_server(site)
    try:
        running.wait_for(lambda: any(line.startswith("preview: http://") for line in running.log))
        index = running.text(ALL)
        assert "https://reports.example.com" not in index
        href = index.split('href="../public/r/', 1)[1].split('"', 1)[0]
        assert "Outcome report" in running.text(f"/public/r/{href}")
    finally:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=10)


def test_one_broken_account_does_not_freeze_the_others(server: Server) -> None:
    edit(server.root, "    owner: Dana Reyes\n", "")  # northwind: an error
    server.wait_for(lambda: "`owner` is missing" in server.text("/internal/"), seconds=10)
    other = server.root / "content/accounts/harborview-clinics.md"
    other.write_text(
        other.read_text(encoding="utf-8").replace("account: Harborview", "account: Harborview NEW"),
        encoding="utf-8",
    )
    newcomer = (server.root / "content/accounts/tessellate-analytics.md").read_text(
        encoding="utf-8"
    )
    (server.root / "content/accounts/brand-new.md").write_text(
        re.sub(r"^account: .*$", "account: Brand New Customer", newcomer, count=1, flags=re.M),
        encoding="utf-8",
    )
    server.wait_for(
        lambda: "Harborview NEW" in (page := server.text(ALL)) and "Brand New Customer" in page,
        seconds=10,
    )
    page = server.text(ALL)
    assert "`owner` is missing" in page.replace("&#x27;", "'")  # the broken one says why
    assert "Northwind Logistics" in page  # ... and keeps its last good pages meanwhile

"""JupyterLab: every notebook runs on the project kernel through a headless Jupyter server.

``make lab`` starts JupyterLab with ``cakupan`` as the default kernel; every notebook
declares that kernel. Here a headless JupyterLab (127.0.0.1, a free port, token auth, a
copy of ``notebooks/`` as its root) opens a session per notebook through the REST API and
executes the notebook's code cells over the kernel's websocket, as the Lab front end does
on "Run All": its defaults, with only ``data_dir`` pointing at the 2 % sample (injected
after the ``parameters`` cell, as papermill does). No cell may fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL_NAME = "cakupan"
JUPYTER = str(Path(sys.executable).parent / "jupyter")
#: What ``make lab`` passes besides the port and token (the Makefile's lab target).
LAB_ARGS = ["lab", "--no-browser", f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
            *(["--allow-root"] if os.geteuid() == 0 else [])]  # containers and CI run as root
START_TIMEOUT_S = 90
CELL_TIMEOUT_S = 300


def test_every_notebook_declares_the_project_kernel():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        spec = nbformat.read(str(path), as_version=4).metadata.get("kernelspec", {})
        assert spec.get("name") == KERNEL_NAME, path.name
        assert spec.get("language") == "python", path.name


# =========================================================================== server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A running JupyterLab: REST calls and kernel websockets with its token."""

    def __init__(self, port: int, token: str, root: Path, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.root = root
        self.log = log

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            kind = response.headers.get("Content-Type", "")
            return json.loads(text) if text and "json" in kind else text

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with token auth, rooted in a copy of notebooks/."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    port, token = _free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_CONFIG_DIR": str(base / "config")}  # no personal config applies
    log = base / "lab.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [JUPYTER, *LAB_ARGS, "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
            stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=root)
    server = Lab(port, token, root, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{server.log_tail()}")
            try:
                server.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in {START_TIMEOUT_S} s:\n"
                                f"{server.log_tail()}")
                time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.mark.kernel
def test_lab_serves_its_front_end_with_the_project_kernel_as_default(lab):
    page = lab.request("GET", "/lab")
    assert "JupyterLab" in page
    specs = lab.request("GET", "/api/kernelspecs")
    assert specs["default"] == KERNEL_NAME
    assert KERNEL_NAME in specs["kernelspecs"]


@pytest.mark.kernel
def test_the_server_refuses_requests_without_the_token(lab):
    request = urllib.request.Request(lab.base + "/api/kernels")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 403


# =========================================================================== notebooks


class KernelChannel:
    """Execute code on a server-side kernel over its websocket (Jupyter's JSON protocol)."""

    def __init__(self, lab: Lab, kernel_id: str) -> None:
        import websocket  # websocket-client, a dependency of jupyter_server

        self.session = uuid.uuid4().hex
        url = (lab.base.replace("http://", "ws://")
               + f"/api/kernels/{kernel_id}/channels?session_id={self.session}")
        self.socket = websocket.create_connection(
            url, header=[f"Authorization: token {lab.token}"], timeout=CELL_TIMEOUT_S)

    def execute(self, code: str) -> dict:
        """Run code; returns the reply status, errors (ename: evalue) and printed text."""
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": self.session, "version": "5.3",
                       "date": dt.datetime.now(dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False,
                        "stop_on_error": True}}))
        result = {"status": None, "errors": [], "stdout": ""}
        idle = False
        while result["status"] is None or not idle:
            message = json.loads(self.socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "error":
                result["errors"].append(f"{content['ename']}: {content['evalue']}")
            elif kind == "stream" and content.get("name") == "stdout":
                result["stdout"] += content["text"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                result["status"] = content["status"]
                if content["status"] == "error" and not result["errors"]:
                    result["errors"].append(f"{content.get('ename')}: {content.get('evalue')}")
        return result

    def close(self) -> None:
        self.socket.close()


def cells_with_sample_data(path: Path, data_dir: Path) -> list[str]:
    """The notebook's code cells, with ``data_dir`` set after the ``parameters`` cell."""
    notebook = nbformat.read(str(path), as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cells.append(cell.source)
        if "parameters" in cell.metadata.get("tags", []):
            cells.append(f"data_dir = {str(data_dir)!r}")
    return cells


@pytest.mark.kernel
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_lab_on_its_defaults(lab, small_sample, path):
    folder, _ = small_sample
    session = lab.request("POST", "/api/sessions", {
        "path": path.name, "name": path.name, "type": "notebook",
        "kernel": {"name": KERNEL_NAME}})
    kernel = session["kernel"]
    assert kernel["name"] == KERNEL_NAME
    channel = KernelChannel(lab, kernel["id"])
    try:
        where = channel.execute("import os, sys\nprint(sys.prefix)\nprint(os.getcwd())")
        prefix, cwd = where["stdout"].split()
        assert Path(prefix).resolve() == Path(sys.prefix).resolve(), \
            "the cakupan kernel must run the project's environment (make setup)"
        assert Path(cwd).resolve() == lab.root.resolve()
        for number, code in enumerate(cells_with_sample_data(path, folder), start=1):
            result = channel.execute(code)
            assert result["errors"] == [] and result["status"] == "ok", \
                f"{path.name}, code cell {number}: {result['errors']}\n{code[:300]}"
    finally:
        channel.close()
        lab.request("DELETE", f"/api/sessions/{session['id']}")

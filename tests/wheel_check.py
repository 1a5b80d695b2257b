"""Build the wheel, install it (not editable) into a fresh virtualenv in a temporary
folder, migrate a new SQLite database with the installed `tupa`, start `tupa serve` and
read /health and the login page in Finnish: proof that the migrations, templates and
locales are inside the wheel. Run from the repository root:

    python -m tests.wheel_check            # or: make wheel-check

The installed Tupa runs from the temporary folder, so nothing of the checkout can stand
in for a file the wheel lacks. Dependencies come from the package index (pip's cache
makes a second run quick); with `--reuse-dependencies` the new environment borrows the
running interpreter's installed dependencies instead, for a machine without network.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


class WheelCheckError(RuntimeError):
    pass


def run(command: list[str | Path], **kwargs: object) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        **kwargs,  # type: ignore[arg-type]
    )
    if result.returncode != 0:
        raise WheelCheckError(
            f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def build_wheel(out_dir: Path) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out_dir, REPO])
    [wheel] = out_dir.glob("tupa-*.whl")
    return wheel


def make_venv(venv: Path, *, reuse_dependencies: bool) -> Path:
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    if reuse_dependencies:
        # A path line in a .pth file only extends sys.path: the running environment's
        # own .pth files (such as an editable Tupa) are not processed, and the wheel's
        # `service` in the new site-packages comes first.
        site_packages = run([python, "-c", "import site; print(site.getsitepackages()[0])"])
        (Path(site_packages.strip()) / "borrowed.pth").write_text(
            sysconfig.get_paths()["purelib"] + "\n"
        )
    return python


def install(python: Path, wheel: Path, *, reuse_dependencies: bool) -> None:
    flags = ["--no-deps"] if reuse_dependencies else []
    run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *flags, wheel])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http://127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_health(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise WheelCheckError(f"tupa serve exited with {server.returncode}")
        try:
            status, _body = fetch(f"{base}/health")
        except OSError:
            time.sleep(0.3)
            continue
        if status == 200:
            return
        raise WheelCheckError(f"/health answered {status}")
    raise WheelCheckError(f"tupa serve did not answer within {STARTUP_SECONDS} s")


def check_installed_package(python: Path, venv: Path, workdir: Path, env: dict[str, str]) -> None:
    where = run(
        [python, "-c", "import service.paths as p; print(p.PACKAGE_DIR, p.TEMPLATES_DIR)"],
        cwd=workdir,
        env=env,
    ).split()
    for path in where:
        if not Path(path).is_relative_to(venv):
            raise WheelCheckError(f"{path} is not inside the new virtualenv {venv}")


def check_served_pages(tupa: Path, workdir: Path, env: dict[str, str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(tupa), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_health(base, server)
        status, page = fetch(f"{base}/login", {"Accept-Language": "fi"})
        if status != 200:
            raise WheelCheckError(f"/login answered {status}")
        # The heading comes from templates/, its Finnish words from locales/.
        if "Kirjaudu sisään Tupaan" not in page:
            raise WheelCheckError(f"/login is not the Finnish login page:\n{page[:2000]}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if server.returncode not in (0, -15):
            print((workdir / "serve.log").read_text(), file=sys.stderr)


def check_wheel(*, reuse_dependencies: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="tupa-wheel-") as temp:
        root = Path(temp)
        wheel = build_wheel(root / "dist")
        venv = root / "venv"
        python = make_venv(venv, reuse_dependencies=reuse_dependencies)
        install(python, wheel, reuse_dependencies=reuse_dependencies)
        workdir = root / "work"
        workdir.mkdir()
        env = {
            "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(workdir),
            "TUPA_ENV": "development",
            "TUPA_DATA_DIR": str(workdir / "data"),
            "DATABASE_URL": f"sqlite:///{workdir / 'data' / 'tupa.sqlite3'}",
        }
        check_installed_package(python, venv, workdir, env)
        migrated = run([venv / "bin" / "tupa", "migrate"], cwd=workdir, env=env)
        if "Applied" not in migrated:
            raise WheelCheckError(f"tupa migrate applied nothing: {migrated}")
        check_served_pages(venv / "bin" / "tupa", workdir, env)
        print(f"wheel check: {wheel.name} installs, migrates and serves the login page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reuse-dependencies",
        action="store_true",
        help="borrow this interpreter's installed dependencies instead of installing them",
    )
    arguments = parser.parse_args()
    started = time.monotonic()
    try:
        check_wheel(reuse_dependencies=arguments.reuse_dependencies)
    except WheelCheckError as error:
        sys.exit(f"wheel check failed: {error}")
    print(f"wheel check took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Deployment (issue 10, item 11): the compose file's commands run as written, the image's
build steps hold, and the wheel carries everything the portal serves.

Docker's engine does not run on this machine, so the test starts the same commands the compose
file gives (web with its health check, worker, beat) against the test database, with the
production settings compose sets (DEBUG=0, SECURE_SSL_REDIRECT on). It fails when the compose
file, the Dockerfile or the packaging regresses.
"""

import http.client
import json
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import yaml
from django.conf import settings
from django.db import connection

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
HOST = "portal.example.gov.cn"
# A bound on waiting for a process to come up, so a broken command fails instead of hanging.
STARTUP_LIMIT = 120


def compose_command(service: str) -> str:
    command = COMPOSE["services"][service]["command"]
    assert isinstance(command, str), f"{service}: expected a shell command string"
    return command.replace("$$", "$")  # compose's escape for a literal $


def healthcheck(service: str) -> list[str]:
    return [part.replace("$$", "$") for part in COMPOSE["services"][service]["healthcheck"]["test"]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def outside_environment() -> dict[str, str]:
    """This process's environment without what the settings or the tests read (other tests
    set some, e.g. DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests)."""
    read = {"DATABASE_URL", "REDIS_URL", "PII_KEY", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PYTHONPATH"}
    return {
        key: value
        for key, value in os.environ.items()
        if key not in read and not key.startswith(("DJANGO_", "SECURE_", "STATIC_", "PYTEST_"))
    }


@pytest.fixture(scope="module")
def production_env(django_db_setup, tmp_path_factory):
    """The environment compose gives the app containers, pointed at the test database."""
    tmp = tmp_path_factory.mktemp("deploy")
    env = outside_environment()
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),  # the image runs the installed package; here, this checkout
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_KEY=secrets.token_urlsafe(40),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="1",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        HOSTNAME=socket.gethostname(),
    )

    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url(connection.settings_dict)  # the migrated test database
    else:  # the test database is in memory: a migrated file of our own
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'db.sqlite3'}"
        subprocess.run(
            [BIN / "django-admin", "migrate", "--noinput", "-v0"], env=env, cwd=tmp, check=True, timeout=300
        )
    return env, tmp


def start(command: str, env, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        ["sh", "-c", command],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stdout.read() if process.stdout else ""


def wait_for_line(process: subprocess.Popen, pattern: str) -> str:
    """The output up to the first line matching ``pattern``; fails if the process ends first."""
    seen = []
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if selector.select(timeout=1):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            if re.search(pattern, line):
                return "".join(seen)
        elif process.poll() is not None:
            break
    stop(process)
    pytest.fail(f"never saw {pattern!r}; output:\n{''.join(seen)}")


def get(port: int, path: str, host: str = HOST) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": host})
    return conn.getresponse()


def wait_for_port(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"the web command never listened on {port}:\n{stop(process)}")


# --- the compose file and the Dockerfile as written ------------------------------------------


def test_compose_refuses_to_start_without_secret_and_pii_keys():
    for service in ("web", "worker", "beat"):
        environment = COMPOSE["services"][service]["environment"]
        # ${VAR:?message}: compose stops with the message when VAR is unset or empty.
        assert re.fullmatch(r"\$\{PII_KEY:\?[^}]+\}", environment["PII_KEY"]), service
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"]), service
        assert environment["DEBUG"] == "0"


def test_dockerfile_installs_the_lock_before_the_code_and_collects_static_at_build():
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())  # join continued lines
    steps = [line.strip() for line in text.splitlines() if re.match(r"^(COPY|RUN|ENV|FROM)\b", line)]

    def first(pattern):
        return next(i for i, step in enumerate(steps) if re.search(pattern, step))

    copy_lock = first(r"^COPY requirements/base\.lock ")
    install_lock = first(r"pip install --require-hashes -r \S*base\.lock")
    copy_code = first(r"^COPY \. ")
    install_code = first(r"pip install --no-deps ")
    collect = first(r"collectstatic --noinput")
    assert copy_lock < install_lock < copy_code < install_code <= collect
    assert (ROOT / "requirements" / "base.lock").exists()


@pytest.mark.parametrize("lock", ["base.lock", "dev.lock"])
def test_lock_files_pin_every_package_with_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text()
    requirements = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+) \\$", text, flags=re.MULTILINE)
    names = {name.lower() for name, _version in requirements}
    assert {"django", "gunicorn", "celery", "cryptography", "whitenoise"} <= names
    if lock == "dev.lock":
        assert {"pytest", "pytest-django", "ruff", "pyyaml"} <= names
    blocks = re.split(r"^(?=\S)", text, flags=re.MULTILINE)
    pinned = [block for block in blocks if "==" in block.split("\n", 1)[0]]
    assert len(pinned) == len(requirements) and all("--hash=sha256:" in block for block in pinned)
    assert (ROOT / "Makefile").read_text().count("-r requirements/dev.lock") == 1


# --- the commands compose runs ------------------------------------------------------------------


def test_web_command_serves_healthz_over_plain_http_with_the_redirect_on(production_env):
    env, tmp = production_env
    port = free_port()
    command = compose_command("web")
    assert "0.0.0.0:8000" in command
    web = start(command.replace("0.0.0.0:8000", f"127.0.0.1:{port}"), env, tmp)
    try:
        wait_for_port(web, port)
        health = get(port, "/healthz")
        assert health.status == 200
        assert json.loads(health.read())["status"] == "ok"
        # The redirect is on: anything else over plain HTTP goes to https.
        home = get(port, "/")
        assert home.status == 301 and home.getheader("Location") == f"https://{HOST}/"

        check = healthcheck("web")
        assert check[:3] == ["CMD", "python", "-c"] and "8000" in check[3]
        result = subprocess.run(
            [sys.executable, "-c", check[3].replace("8000", str(port))],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
    finally:
        output = stop(web)
    assert "Booting worker" in output


def test_web_command_does_not_start_without_pii_key(production_env):
    env, tmp = production_env
    port = free_port()
    without_key = {key: value for key, value in env.items() if key != "PII_KEY"}
    web = start(compose_command("web").replace("0.0.0.0:8000", f"127.0.0.1:{port}"), without_key, tmp)
    try:
        returncode = web.wait(timeout=STARTUP_LIMIT)
    except subprocess.TimeoutExpired:
        pytest.fail("the web command kept running without PII_KEY")
    finally:
        output = stop(web)
    assert returncode != 0
    assert "accounts.E001" in output and "gunicorn" not in output.lower()


def test_worker_and_beat_commands_start_and_the_worker_answers_its_health_check(production_env):
    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    env, tmp = production_env
    worker_command = compose_command("worker")
    beat_command = compose_command("beat")
    assert worker_command.startswith("celery -A config worker")
    assert beat_command.startswith("celery -A config beat")
    # Its own queue, so the worker cannot pick up a task another test left in Redis; debug
    # logging shows beat reading its schedule from the database.
    queue = f"deploy-test-{uuid.uuid4().hex[:8]}"
    worker = start(f"{worker_command} -Q {queue}", env, tmp)
    beat = start(f"{beat_command} --loglevel=debug --pidfile= --schedule={tmp / 'beat-schedule'}", env, tmp)
    try:
        wait_for_line(worker, r"celery@\S+ ready\.")
        wait_for_line(beat, r"DatabaseScheduler: (Fetching database schedule|Schedule changed)")
        check = healthcheck("worker")
        assert check[0] == "CMD-SHELL"
        result = subprocess.run(["sh", "-c", check[1]], env=env, cwd=tmp, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "pong" in result.stdout
    finally:
        stop(worker)
        stop(beat)

        redis.Redis.from_url(settings.REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


# --- the wheel ----------------------------------------------------------------------------------

SOURCE_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "media", "staticfiles", "db.sqlite3",
    ".ruff_cache", ".pytest_cache", "node_modules",
)  # fmt: skip


def shipped_data_files() -> set[str]:
    """What the portal reads at run time besides code, as paths inside the wheel."""
    found = set()
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if not path.is_file() or parts[0] in {".venv", ".git", "tests", "build"} or "__pycache__" in parts:
            continue
        project_wide = parts[0] in {"templates", "static"} or relative.suffix == ".mo"
        in_an_app = len(parts) > 2 and parts[1] in {"templates", "static", "data"}
        if project_wide or (in_an_app and (ROOT / parts[0] / "__init__.py").exists()):
            found.add(relative.as_posix())
    return found


def test_wheel_carries_templates_translations_static_and_region_data_and_runs_installed(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORE)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = (tmp_path / "dist").glob("wuye_yanglao-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    expected = shipped_data_files()
    assert {
        "templates/base.html",
        "static/css/portal.css",
        "locale/zh_Hans/LC_MESSAGES/django.mo",
        "regions/data/seed_regions.csv",
        "stations/templates/stations/resident_list.html",
    } <= expected
    assert expected - names == set()
    assert not [name for name in names if name.startswith(("tests/", "locale/fragments/"))]

    # Installed, away from the checkout: templates, translations and region data are found in
    # the package, and collectstatic builds the image's hashed static files.
    env = {
        **outside_environment(),
        "PYTHONPATH": str(tmp_path / "site"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
    }
    probe = """
import django, json
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.template.loader import get_template
from django.utils import translation
from regions.management.commands.import_regions import SEED_FILE
translation.activate("zh-hans")
print(json.dumps({
    "config": __import__("config").__file__,
    "base": get_template("base.html").origin.name,
    "app": get_template("stations/resident_list.html").origin.name,
    "title": str(settings.APP_VERBOSE_NAME),
    "regions": SEED_FILE.is_file() and str(SEED_FILE),
}))
call_command("collectstatic", interactive=False, verbosity=0)  # as the Dockerfile does
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site = str(tmp_path / "site")
    assert all(str(found[key]).startswith(site) for key in ("config", "base", "app", "regions")), found
    assert found["title"] == "物业+养老试点管理平台"
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())["paths"]
    assert "css/portal.css" in manifest and "favicon.svg" in manifest

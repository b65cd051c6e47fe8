"""`bti serve`: the panel serve command line, its refusals, and a real server behind a login."""

from __future__ import annotations

import ast
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.dashboard import panel_setup
from bti_workbench.dashboard import serve as serve_module
from bti_workbench.dashboard.credentials import REPOSITORY, authorize_user, check_credentials
from bti_workbench.dashboard.serve import (
    LEADER_APP,
    is_loopback,
    serve_command,
    serve_environment,
    websocket_origins,
)
from bti_workbench.errors import ServeError

SECRET = "cookie-secret-for-tests-0123456789abcdef"  # 40 characters
KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="  # base64 of 32 bytes
PASSWORDS = {"kari": "kari's long passphrase", "ola": "ola's long passphrase"}
APP = Path("/srv/bti/app.py")


def _option(command: list[str], name: str) -> list[str]:
    """Every value given to ``name`` in a command line."""
    return [command[i + 1] for i, part in enumerate(command) if part == name]


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "users.json"
    path.parent.mkdir()
    path.write_text(json.dumps(PASSWORDS), encoding="utf-8")
    path.chmod(0o600)
    return path


# --- the command line ----------------------------------------------------------------------


def test_default_command_serves_on_loopback_without_login() -> None:
    assert serve_command(APP, python="py") == [
        "py", "-m", "panel", "serve", "/srv/bti/app.py",
        "--address", "127.0.0.1", "--port", "5006", "--num-procs", "1",
        "--allow-websocket-origin", "localhost:5006",
        "--allow-websocket-origin", "127.0.0.1:5006",
        "--check-unused-sessions", "10000", "--unused-session-lifetime", "15000",
        "--setup", str(Path(panel_setup.__file__).resolve()),
    ]  # fmt: skip


def test_basic_auth_command_names_the_file_and_keeps_the_secret_off_it() -> None:
    command = serve_command(
        APP, port=8080, num_procs=0, basic_auth=Path("/etc/bti/users.json"), cookie_secret=SECRET
    )
    assert _option(command, "--basic-auth") == ["/etc/bti/users.json"]
    assert _option(command, "--port") == ["8080"]
    assert _option(command, "--num-procs") == ["0"]
    assert _option(command, "--allow-websocket-origin") == ["localhost:8080", "127.0.0.1:8080"]
    assert "--cookie-secret" not in command
    assert not any(SECRET in part for part in command)
    # The setup script always runs (it loads the engine); with no allow list it adds no hook.
    assert _option(command, "--setup") == [str(Path(panel_setup.__file__).resolve())]


def test_sessions_that_close_are_released_in_every_combination() -> None:
    commands = [
        serve_command(APP),
        serve_command(APP, basic_auth=Path("/u.json"), cookie_secret=SECRET, num_procs=4),
        serve_command(APP, address="0.0.0.0", insecure=True, allow_websocket_origin=["h"]),
    ]
    for command in commands:
        assert _option(command, "--check-unused-sessions") == ["10000"]
        assert _option(command, "--unused-session-lifetime") == ["15000"]


def test_github_oauth_command_with_allow_list() -> None:
    command = serve_command(
        APP,
        oauth_provider="github",
        oauth_key="client-id",
        oauth_secret="client-secret-value",
        oauth_encryption_key=KEY,
        cookie_secret=SECRET,
        allow_user=["kari-k", "ola"],
    )
    assert _option(command, "--oauth-provider") == ["github"]
    assert _option(command, "--oauth-key") == ["client-id"]
    assert _option(command, "--setup") == [str(Path(panel_setup.__file__).resolve())]
    joined = " ".join(command)
    assert "client-secret-value" not in joined and KEY not in joined and SECRET not in joined
    assert "--oauth-secret" not in command and "--oauth-encryption-key" not in command


def test_azure_tenant_and_generic_urls_reach_panel_as_python_literals() -> None:
    # Panel reads --oauth-extra-params with ast.literal_eval.
    azure = serve_command(
        APP,
        oauth_provider="azure",
        oauth_key="id",
        oauth_secret="s",
        oauth_encryption_key=KEY,
        cookie_secret=SECRET,
        oauth_extra_params='{"tenant": "5f1e-tenant"}',
        oauth_redirect_uri="https://bti.example.no/",
    )
    assert ast.literal_eval(_option(azure, "--oauth-extra-params")[0]) == {"tenant": "5f1e-tenant"}
    assert _option(azure, "--oauth-redirect-uri") == ["https://bti.example.no/"]
    urls = {
        "AUTHORIZE_URL": "https://idp.example.no/auth",
        "TOKEN_URL": "https://idp.example.no/token",
        "USER_URL": "https://idp.example.no/userinfo",
        "scope": ["openid", "email"],
    }
    generic = serve_command(
        APP,
        oauth_provider="generic",
        oauth_key="id",
        oauth_secret="s",
        oauth_encryption_key=KEY,
        cookie_secret=SECRET,
        oauth_extra_params=json.dumps(urls),
    )
    assert ast.literal_eval(_option(generic, "--oauth-extra-params")[0]) == urls


def test_server_facing_the_network_with_tls() -> None:
    command = serve_command(
        APP,
        address="10.0.0.5",
        port=8443,
        basic_auth=Path("/etc/bti/users.json"),
        cookie_secret=SECRET,
        ssl_certfile=Path("/etc/bti/cert.pem"),
        ssl_keyfile=Path("/etc/bti/key.pem"),
        allow_websocket_origin=["bti.example.no:8443"],
    )
    assert _option(command, "--address") == ["10.0.0.5"]
    assert _option(command, "--allow-websocket-origin") == ["10.0.0.5:8443", "bti.example.no:8443"]
    assert _option(command, "--ssl-certfile") == ["/etc/bti/cert.pem"]
    assert _option(command, "--ssl-keyfile") == ["/etc/bti/key.pem"]
    assert "--use-xheaders" not in command


def test_behind_a_proxy_trusts_forwarded_headers_and_allows_the_public_host() -> None:
    command = serve_command(
        APP,
        basic_auth=Path("/etc/bti/users.json"),
        cookie_secret=SECRET,
        behind_proxy=True,
        allow_websocket_origin=["BTI.example.no"],
    )
    assert "--use-xheaders" in command
    assert _option(command, "--allow-websocket-origin") == [
        "localhost:5006",
        "127.0.0.1:5006",
        "bti.example.no",
    ]


def test_insecure_lets_a_closed_test_network_in_without_login() -> None:
    command = serve_command(
        APP, address="0.0.0.0", insecure=True, allow_websocket_origin=["testhost:5006"]
    )
    assert _option(command, "--allow-websocket-origin") == ["testhost:5006"]
    assert not {"--basic-auth", "--oauth-provider"} & set(command)


# --- refusals ------------------------------------------------------------------------------

_BASIC = {"basic_auth": Path("/etc/bti/users.json"), "cookie_secret": SECRET}
_OAUTH = {
    "oauth_key": "id",
    "oauth_secret": "client-secret-value",
    "oauth_encryption_key": KEY,
    "cookie_secret": SECRET,
}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"address": "0.0.0.0"}, "--address 0.0.0.0 reaches other machines"),
        ({"address": "10.0.0.5", "ssl_certfile": Path("/c"), "ssl_keyfile": Path("/k")},
         "reaches other machines"),
        ({"behind_proxy": True, "allow_websocket_origin": ["bti.no"]},
         "behind a proxy it reaches other machines"),
        ({"address": "10.0.0.5", **_BASIC}, "without TLS sends passwords"),
        ({"address": "0.0.0.0", "ssl_certfile": Path("/c"), "ssl_keyfile": Path("/k"), **_BASIC},
         "name the host browsers use"),
        ({"address": "2001:db8::5", "ssl_certfile": Path("/c"), "ssl_keyfile": Path("/k"),
          **_BASIC}, "name the host browsers use"),
        ({"behind_proxy": True, **_BASIC}, "--behind-proxy: name the proxy's public host"),
        ({"basic_auth": Path("/u.json")}, "--cookie-secret is required"),
        ({"basic_auth": Path("/u.json"), "cookie_secret": "short-secret"}, "too short"),
        ({**_BASIC, "oauth_provider": "github"}, "choose one of"),
        ({**_BASIC, "allow_websocket_origin": ["*"]}, "bare wildcard"),
        ({**_BASIC, "allow_websocket_origin": ["https://bti.no"]}, "without a scheme"),
        ({**_BASIC, "port": 0}, "--port 0"),
        ({**_BASIC, "ssl_certfile": Path("/c")}, "both --ssl-certfile and --ssl-keyfile"),
        ({"allow_user": ["kari"]}, "--allow-user needs --basic-auth"),
        ({**_BASIC, "allow_user": ["kari, ola"]}, "comma or a space"),
        ({**_OAUTH, "oauth_provider": "github"}, "anyone can open a github account"),
        ({**_OAUTH, "oauth_provider": "google"}, "--allow-user"),
        ({**_OAUTH, "oauth_provider": "azure"}, "any Microsoft account"),
        ({**_OAUTH, "oauth_provider": "azurev2", "oauth_extra_params": '{"tenant": "common"}'},
         "any Microsoft account"),
        ({**_OAUTH, "oauth_provider": "generic"}, "AUTHORIZE_URL and TOKEN_URL"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_extra_params": "tenant=x"},
         "expected a JSON object"),
        ({**_OAUTH, "oauth_provider": "pam"}, "use one of"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_key": None}, "needs --oauth-key"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_secret": None}, "needs --oauth-secret"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_encryption_key": None},
         "needs --oauth-encryption-key"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_encryption_key": "not-32-bytes"},
         "must be 32 bytes"),
        ({**_OAUTH, "oauth_provider": "okta", "cookie_secret": None}, "--cookie-secret"),
        ({**_OAUTH, "oauth_provider": "okta", "oauth_redirect_uri": "bti.example.no"},
         "absolute URL"),
    ],
)  # fmt: skip
def test_refused_combinations_say_why_without_secrets(options: dict, message: str) -> None:
    with pytest.raises(ServeError) as caught:
        serve_command(APP, **options)
    text = str(caught.value)
    assert message in text
    for secret in (SECRET, KEY, "client-secret-value", "short-secret", "not-32-bytes"):
        assert secret not in text


def test_origins_and_loopback() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("[::1]") and is_loopback("LOCALHOST")
    assert not is_loopback("bti.example.no") and not is_loopback("::")
    assert websocket_origins("::1", 5006) == ["localhost:5006", "127.0.0.1:5006"]
    assert websocket_origins("BTI.example.no", 80) == ["bti.example.no:80"]
    assert websocket_origins("10.0.0.5", 5006, ["*.example.no", "10.0.0.5:5006"]) == [
        "10.0.0.5:5006",
        "*.example.no",
    ]
    with pytest.raises(ServeError, match="HOST or HOST:PORT"):
        websocket_origins("127.0.0.1", 5006, ["host:port"])


# --- the credentials file ------------------------------------------------------------------


def test_credentials_file_counts_users_and_reports_loose_permissions(users_file: Path) -> None:
    checked = check_credentials(users_file)
    assert checked.path == users_file.resolve()
    assert checked.users == 2 and checked.private
    users_file.chmod(0o644)
    assert not check_credentials(users_file).private


def test_credentials_inside_a_repository_are_refused(tmp_path: Path) -> None:
    # The workbench's own folder: refused before the content is read.
    with pytest.raises(ServeError, match="inside the repository"):
        check_credentials(REPOSITORY / "pyproject.toml")
    # A folder named as the repository.
    inside = tmp_path / "workbench" / "config"
    inside.mkdir(parents=True)
    (inside / "users.json").write_text(json.dumps(PASSWORDS), encoding="utf-8")
    with pytest.raises(ServeError, match="must never be committed"):
        check_credentials(inside / "users.json", repository=tmp_path / "workbench")
    # Any git working tree.
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "users.json").write_text(json.dumps(PASSWORDS), encoding="utf-8")
    with pytest.raises(ServeError, match=re.escape(str(project))):
        check_credentials(project / "users.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"kari": "pass word one", "ola": }', "not valid JSON (Expecting value at line 1"),
        ('["kari", "pass word one"]', "expected a JSON object"),
        ("{}", "lists no users"),
        ('{"kari": 12345678}', "the password of entry 1 is not a string"),
        ('{"kari": "pass word one", "ola": ""}', "entry 2 has an empty password"),
        ('{" ": "pass word one"}', "entry 1 has an empty user name"),
        ('{"kari": "pass word one", "kari": "pass word two"}', "a user is listed twice"),
        ("\udcff", "cannot be read as UTF-8"),
    ],
)
def test_bad_credentials_are_refused_without_echoing_them(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "users.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(ServeError) as caught:
        check_credentials(path)
    text = str(caught.value)
    assert message in text
    assert "pass word" not in text and "kari" not in text and "12345678" not in text


def test_missing_credentials_file(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match=r"credentials file .* not found"):
        check_credentials(tmp_path / "nowhere.json")


# --- the environment -----------------------------------------------------------------------


def test_environment_carries_store_k_and_secrets_and_drops_panel_auth() -> None:
    before = {
        "PATH": "/usr/bin",
        "BTI_DATA_DIR": "/data/demo",
        "BTI_SUPPRESSION_K": "2",
        "PANEL_OAUTH_PROVIDER": "github",
        "PANEL_BASIC_AUTH": "shared password",
        "BOKEH_ALLOW_WS_ORIGIN": "*",
        "BTI_ALLOWED_USERS": "mallory",
    }
    env = serve_environment(
        before,
        store=Path("/srv/bti/bti.duckdb"),
        k=10,
        cookie_secret=SECRET,
        oauth_secret="client-secret-value",
        oauth_encryption_key=KEY,
        allow_user=["kari", "ola", "kari"],
    )
    assert env == {
        "PATH": "/usr/bin",
        "BTI_DATA_DIR": "/data/demo",
        "BTI_STORE": "/srv/bti/bti.duckdb",
        "BTI_SUPPRESSION_K": "10",  # the caller's k, never the environment's
        "PANEL_COOKIE_SECRET": SECRET,
        "PANEL_OAUTH_SECRET": "client-secret-value",
        "PANEL_OAUTH_ENCRYPTION": KEY,
        "BTI_ALLOWED_USERS": "kari,ola",
    }
    assert before["PANEL_OAUTH_PROVIDER"] == "github"  # the input is left alone


def test_environment_keeps_a_store_set_outside_and_refuses_small_k() -> None:
    assert serve_environment({"BTI_STORE": "/s.duckdb"})["BTI_STORE"] == "/s.duckdb"
    with pytest.raises(ServeError, match="at least 2"):
        serve_environment({}, k=1)


def test_allow_list_compares_without_case_and_refuses_anonymous() -> None:
    assert authorize_user("Kari", ["kari", "ola"])
    assert not authorize_user("per", ["kari", "ola"])
    assert not authorize_user("", ["kari"]) and not authorize_user(None, ["kari"])


# --- bti serve -----------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """Record what `bti serve` would exec instead of replacing the test process."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(serve_module, "exec_server", lambda c, e: calls.append((list(c), e)))
    return calls


def test_cli_execs_panel_with_secrets_in_the_environment_only(
    executed: list, users_file: Path, tmp_path: Path
) -> None:
    store = tmp_path / "bti.duckdb"
    store.write_bytes(b"")
    arguments = [
        "serve", "--basic-auth", str(users_file), "--port", "5123", "--store", str(store),
        "--k", "7", "--allow-user", "kari",
    ]  # fmt: skip
    result = runner.invoke(
        app,
        arguments,
        env={"BTI_COOKIE_SECRET": SECRET, "PANEL_OAUTH_PROVIDER": "github"},
    )
    assert result.exit_code == 0, result.output
    [(command, env)] = executed
    assert command[:5] == [sys.executable, "-m", "panel", "serve", str(LEADER_APP)]
    assert _option(command, "--basic-auth") == [str(users_file.resolve())]
    assert _option(command, "--port") == ["5123"]
    assert env["PANEL_COOKIE_SECRET"] == SECRET
    assert env["BTI_STORE"] == str(store.resolve()) and env["BTI_SUPPRESSION_K"] == "7"
    assert env["BTI_ALLOWED_USERS"] == "kari" and "PANEL_OAUTH_PROVIDER" not in env
    assert "basic auth, 2 users" in result.output
    assert "ignoring PANEL_OAUTH_PROVIDER" in result.output
    for secret in (SECRET, *PASSWORDS.values()):
        assert secret not in result.output and not any(secret in part for part in command)


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--address", "0.0.0.0"], {}, "reaches other machines"),
        (["--basic-auth", str(REPOSITORY / "pyproject.toml")], {"BTI_COOKIE_SECRET": SECRET},
         "inside the repository"),
        (["--basic-auth", "{users}"], {}, "--cookie-secret is required"),
        (["--basic-auth", "{bad}"], {"BTI_COOKIE_SECRET": SECRET}, "not valid JSON"),
        (["--store", "{missing}"], {}, "no store here"),
        (["--app", "{missing}"], {}, "not found"),
    ],
)  # fmt: skip
def test_cli_refusals_exit_1_and_exec_nothing(
    executed: list,
    users_file: Path,
    tmp_path: Path,
    arguments: list[str],
    environment: dict[str, str],
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"kari": "pass word one",}', encoding="utf-8")
    paths = {"users": users_file, "bad": bad, "missing": tmp_path / "missing"}
    arguments = [a.format(**paths) if a.startswith("{") else a for a in arguments]
    result = runner.invoke(app, ["serve", *arguments], env=environment)
    assert result.exit_code == 1
    assert message in result.output
    assert executed == []
    assert SECRET not in result.output and "pass word" not in result.output


def test_cli_warns_when_insecure_reaches_the_network(executed: list) -> None:
    arguments = ["serve", "--address", "0.0.0.0", "--insecure"]
    result = runner.invoke(app, [*arguments, "--allow-websocket-origin", "testhost:5006"])
    assert result.exit_code == 0, result.output
    assert "warning: --insecure" in result.output and "no login" in result.output
    assert _option(executed[0][0], "--allow-websocket-origin") == ["testhost:5006"]


def test_cli_oauth_needs_cryptography_and_passes_secrets_by_environment(
    executed: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    find_spec = importlib.util.find_spec
    installed = {"cryptography": True}

    def fake_find_spec(name: str, *args: object):
        if name == "cryptography":
            return object() if installed["cryptography"] else None
        return find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    arguments = ["serve", "--oauth-provider", "github", "--oauth-key", "client-id"]
    arguments += ["--allow-user", "kari-k"]
    environment = {
        "BTI_COOKIE_SECRET": SECRET,
        "BTI_OAUTH_SECRET": "client-secret-value",
        "BTI_OAUTH_ENCRYPTION_KEY": KEY,
    }
    result = runner.invoke(app, arguments, env=environment)
    assert result.exit_code == 0, result.output
    [(command, env)] = executed
    assert env["PANEL_OAUTH_SECRET"] == "client-secret-value"
    assert env["PANEL_OAUTH_ENCRYPTION"] == KEY and env["PANEL_COOKIE_SECRET"] == SECRET
    assert "OAuth (github), 1 allowed user" in result.output
    for secret in environment.values():
        assert secret not in result.output and secret not in " ".join(command)
    installed["cryptography"] = False
    result = runner.invoke(app, arguments, env=environment)
    assert result.exit_code == 1 and "cryptography" in result.output
    assert len(executed) == 1


def test_help_never_shows_a_secret_from_the_environment() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"BTI_COOKIE_SECRET": SECRET})
    assert result.exit_code == 0 and "--basic-auth" in result.output
    assert SECRET not in result.output and "--app" not in result.output


# --- a real server -------------------------------------------------------------------------

STAND_IN = """\
import os
from pathlib import Path

import panel as pn

store = Path(os.environ["BTI_STORE"]).name
k = os.environ["BTI_SUPPRESSION_K"]
pn.pane.Markdown("stand-in").servable(title=f"stand-in k={k} store={store}")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Browser:
    """Just enough of a browser: keeps cookies, does not follow redirects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if value in ("", '""'):  # tornado's clear_cookie
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        location = urljoin(path, response.getheader("Location") or "")
        return response.status, location, text

    def log_in(self, app_path: str, user: str, password: str) -> tuple[int, str, str]:
        """Open the app, follow it to the login form, post the form."""
        status, location, _ = self.request("GET", app_path)
        assert status == 302 and location.startswith("/login"), (status, location)
        status, _, form = self.request("GET", location)
        assert status == 200 and 'name="password"' in form
        return self.request("POST", "/login", {"username": user, "password": password})


@contextmanager
def _serving(tmp_path: Path, *options: str) -> Iterator[tuple[int, Path]]:
    """Run `bti serve` with a stand-in app and basic auth on a free loopback port."""
    (tmp_path / "standin.py").write_text(STAND_IN, encoding="utf-8")
    users = tmp_path / "users.json"
    users.write_text(json.dumps(PASSWORDS), encoding="utf-8")
    users.chmod(0o600)
    (tmp_path / "bti.duckdb").write_bytes(b"")
    port = _free_port()
    log = tmp_path / "server.log"
    command = [
        sys.executable, "-c", "from bti_workbench.cli import app; app()", "serve",
        "--app", str(tmp_path / "standin.py"), "--basic-auth", str(users),
        "--cookie-secret", SECRET, "--port", str(port), "--k", "7",
        "--store", str(tmp_path / "bti.duckdb"), *options,
    ]  # fmt: skip
    env = {name: value for name, value in os.environ.items() if not name.startswith("PANEL_")}
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.server
def test_real_server_asks_for_a_login_and_lets_the_right_password_in(tmp_path: Path) -> None:
    with _serving(tmp_path) as (port, log):
        anonymous = _Browser(port)
        status, location, _ = anonymous.request("GET", "/standin")
        assert status == 302 and location == "/login?next=%2Fstandin"

        intruder = _Browser(port)
        status, location, _ = intruder.log_in("/standin", "kari", "wrong password")
        assert status == 302 and location.startswith("/login?error=")
        assert "user" not in intruder.cookies
        assert intruder.request("GET", "/standin")[0] == 302

        kari = _Browser(port)
        status, location, _ = kari.log_in("/standin", "kari", PASSWORDS["kari"])
        assert (status, location) == (302, "/standin")
        status, _, page = kari.request("GET", "/standin")
        assert status == 200
        # The app saw k and the store through the environment.
        assert "<title>stand-in k=7 store=bti.duckdb</title>" in page
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "basic auth, 2 users" in output
    assert SECRET not in output and not any(p in output for p in PASSWORDS.values())


@pytest.mark.server
def test_real_server_refuses_a_logged_in_user_not_on_the_allow_list(tmp_path: Path) -> None:
    with _serving(tmp_path, "--allow-user", "KARI") as (port, _):
        ola = _Browser(port)
        assert ola.log_in("/standin", "ola", PASSWORDS["ola"])[:2] == (302, "/standin")
        assert ola.request("GET", "/standin")[0] == 403
        kari = _Browser(port)
        kari.log_in("/standin", "kari", PASSWORDS["kari"])
        status, _, page = kari.request("GET", "/standin")
        assert status == 200 and "stand-in k=7" in page

"""`bti serve`: the panel serve command line, its refusals, and a real server behind a login."""

from __future__ import annotations

import ast
import http.client
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.dashboard import panel_setup
from bti_workbench.dashboard import serve as serve_module
from bti_workbench.dashboard.auth_pages import AUTH_PAGES, auth_page
from bti_workbench.dashboard.credentials import REPOSITORY, authorize_user, check_credentials
from bti_workbench.dashboard.serve import (
    LEADER_APP,
    OAUTH_EXTRA,
    check_oauth_support,
    is_loopback,
    serve_command,
    serve_environment,
    websocket_origins,
)
from bti_workbench.errors import ServeError
from bti_workbench.reference.labels import label

SECRET = "cookie-secret-for-tests-0123456789abcdef"  # 40 characters
KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="  # base64 of 32 bytes
PASSWORDS = {"kari": "kari's long passphrase", "ola": "ola's long passphrase"}
APP = Path("/srv/bti/app.py")


def _option(command: list[str], name: str) -> list[str]:
    """Every value given to ``name`` in a command line."""
    return [command[i + 1] for i, part in enumerate(command) if part == name]


@pytest.fixture
def cryptography(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Whether the ``cryptography`` package (the oauth extra) counts as installed: yes, until
    a test says no. The development environment need not have it."""
    find_spec = importlib.util.find_spec
    installed = {"cryptography": True}

    def fake_find_spec(name: str, *args: object):
        if name == "cryptography":
            return object() if installed["cryptography"] else None
        return find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    return installed


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
    # The workbench's own login, logout and refusal pages, none of Panel's (from the internet).
    assert _option(command, "--basic-login-template") == [str(AUTH_PAGES["login"])]
    assert _option(command, "--logout-template") == [str(AUTH_PAGES["logout"])]
    assert _option(command, "--auth-template") == [str(AUTH_PAGES["error"])]
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


def test_github_oauth_command_with_allow_list(cryptography: dict) -> None:
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
    # The provider has the login form; the logout and refusal pages are the workbench's.
    assert _option(command, "--logout-template") == [str(AUTH_PAGES["logout"])]
    assert _option(command, "--auth-template") == [str(AUTH_PAGES["error"])]
    assert "--basic-login-template" not in command


def test_azure_tenant_and_generic_urls_reach_panel_as_python_literals(cryptography: dict) -> None:
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
def test_refused_combinations_say_why_without_secrets(
    cryptography: dict, options: dict, message: str
) -> None:
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
        "BOKEH_RESOURCES": "cdn",  # would send every page to cdn.bokeh.org
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
        "BOKEH_RESOURCES": "server",  # pages load everything from the server itself
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
        "--k", "7", "--allow-user", "kari", "--lang", "en",
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
    result = runner.invoke(app, ["serve", "--lang", "en", *arguments], env=environment)
    assert result.exit_code == 1
    assert message in result.output
    assert executed == []
    assert SECRET not in result.output and "pass word" not in result.output


def test_cli_warns_when_insecure_reaches_the_network(executed: list) -> None:
    arguments = ["serve", "--address", "0.0.0.0", "--insecure", "--lang", "en"]
    result = runner.invoke(app, [*arguments, "--allow-websocket-origin", "testhost:5006"])
    assert result.exit_code == 0, result.output
    assert "warning: --insecure" in result.output and "no login" in result.output
    assert _option(executed[0][0], "--allow-websocket-origin") == ["testhost:5006"]


def test_cli_oauth_needs_cryptography_and_passes_secrets_by_environment(
    executed: list, cryptography: dict
) -> None:
    arguments = ["serve", "--oauth-provider", "github", "--oauth-key", "client-id"]
    arguments += ["--allow-user", "kari-k", "--lang", "en"]
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
    cryptography["cryptography"] = False
    result = runner.invoke(app, arguments, env=environment)
    assert result.exit_code == 1 and "cryptography" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert len(executed) == 1


def test_oauth_without_cryptography_says_to_install_the_extra(
    cryptography: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {**_OAUTH, "oauth_provider": "okta", "oauth_extra_params": '{"url": "x.okta.com"}'}
    assert _option(serve_command(APP, **options), "--oauth-provider") == ["okta"]
    cryptography["cryptography"] = False
    with pytest.raises(ServeError) as caught:
        serve_command(APP, **options)
    assert f"pip install '{OAUTH_EXTRA}'" in str(caught.value)
    assert OAUTH_EXTRA == "bti_workbench[oauth]"
    # The real check, with the import itself made to fail (as when the package is absent).
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(ServeError, match=re.escape(OAUTH_EXTRA)):
        check_oauth_support()
    # Basic auth never needs it.
    assert serve_command(APP, basic_auth=Path("/etc/bti/users.json"), cookie_secret=SECRET)


def test_the_oauth_extra_brings_cryptography() -> None:
    import tomllib

    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    [requirement] = pyproject["project"]["optional-dependencies"]["oauth"]
    assert re.fullmatch(r"cryptography>=\d+(\.\d+)*", requirement)
    assert requirement in (REPOSITORY / "environment.yml").read_text(encoding="utf-8")


# --- the pages around the login ------------------------------------------------------------


def test_auth_pages_are_written_from_the_catalogue() -> None:
    for name, path in AUTH_PAGES.items():
        assert path.read_text(encoding="utf-8") == auth_page(name), (
            f"{path.name} differs from the catalogue: run `make auth-pages`"
        )


def _render(name: str, **variables: str) -> str:
    """A page as Panel renders it (its Jinja environment trims blocks the same way)."""
    import jinja2

    environment = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(auth_page(name)).render(**variables)


@pytest.mark.parametrize(
    ("name", "variables", "keys", "absent"),
    [
        ("login", {"login_endpoint": "/login", "errormessage": ""},
         ["login.title", "login.intro", "login.user", "login.password"], ["login.failed"]),
        ("login", {"login_endpoint": "/login", "errormessage": "Invalid username or password!"},
         ["login.failed"], []),
        ("logout", {"LOGIN_ENDPOINT": "/login"},
         ["login.logged_out_title", "login.logged_out", "login.again"], []),
        ("error", {"error_type": "Authorization Error"},
         ["login.denied_title", "login.denied", "login.logout"], ["login.error"]),
        ("error", {"error_type": "Authentication Error"},
         ["login.error_title", "login.error", "login.logout"], ["login.denied"]),
    ],
)  # fmt: skip
def test_auth_pages_show_the_catalogue_in_both_languages_and_load_nothing(
    name: str, variables: dict, keys: list[str], absent: list[str]
) -> None:
    page = _render(name, **variables)
    for key in keys:
        for lang in ("nb", "en"):
            assert label(key, lang) in page, (key, lang)
    for key in absent:
        assert label(key, "en") not in page
    # Nothing to fetch: no address, no image, no stylesheet or font file, no script.
    assert not re.search(r"https?:|//|<img|<script|@import|url\(|src=", page), page
    assert re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">']
    assert "Invalid username" not in page  # Panel's English message is not shown
    assert '<html lang="nb">' in page and '<span lang="en">' in page


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
def _serving(
    tmp_path: Path,
    *options: str,
    app_source: str | None = STAND_IN,
    store: Path | None = None,
    login: bool = True,
    k: int = 7,
) -> Iterator[tuple[int, Path]]:
    """Run `bti serve` on a free loopback port: a stand-in app (``app_source``; None: the
    leaders' app), behind basic auth unless ``login`` is false."""
    if app_source is not None:
        (tmp_path / "standin.py").write_text(app_source, encoding="utf-8")
        options = ("--app", str(tmp_path / "standin.py"), *options)
    if login:
        users = tmp_path / "users.json"
        users.write_text(json.dumps(PASSWORDS), encoding="utf-8")
        users.chmod(0o600)
        options = ("--basic-auth", str(users), "--cookie-secret", SECRET, *options)
    if store is None:
        store = tmp_path / "bti.duckdb"
        store.write_bytes(b"")
    port = _free_port()
    log = tmp_path / "server.log"
    command = [
        sys.executable, "-c", "from bti_workbench.cli import app; app()", "serve",
        "--port", str(port), "--k", str(k), "--store", str(store), "--lang", "en", *options,
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
        status, _, refusal = ola.request("GET", "/standin")
        # The workbench's refusal page, not Panel's (which loads a font from the internet).
        assert label("login.denied", "nb") in refusal and label("login.denied", "en") in refusal
        assert "http" not in refusal and "ola" not in refusal
        kari = _Browser(port)
        kari.log_in("/standin", "kari", PASSWORDS["kari"])
        status, _, page = kari.request("GET", "/standin")
        assert status == 200 and "stand-in k=7" in page


# --- offline: every page served from the server itself -------------------------------------

STAND_IN_TEMPLATE = """\
import panel as pn

pn.template.BootstrapTemplate(
    title="stand-in",
    sidebar=[pn.widgets.Select(options=["a", "b"])],
    main=[pn.pane.Markdown("# stand-in"), pn.widgets.Button(name="ok")],
).servable()
"""

_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("BTI_REQUIRE_BROWSER"):
            pytest.fail("BTI_REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("chromium is not installed (set BTI_REQUIRE_BROWSER to make this a failure)")
    return path


@contextmanager
def _recorded_page() -> Iterator[tuple[Any, list[str], list[str]]]:
    """A Chromium page, every URL it requests, and every problem it meets (console errors,
    page errors, failed requests)."""
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=_CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            requests: list[str] = []
            problems: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.on(
                "console",
                lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
            yield page, requests, problems
        finally:
            browser.close()


def _elsewhere(requests: list[str], port: int) -> list[str]:
    """The requests that went anywhere but the server (a blob or data URL stays in the page)."""
    origin = f"http://127.0.0.1:{port}"
    own = (f"{origin}/", f"blob:{origin}/", "data:")
    return [url for url in requests if not url.startswith(own)]


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two CSS colours ``rgb(r, g, b)``."""

    def luminance(colour: str) -> float:
        channels = [float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_LABEL_STYLE = """el => {
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    let back = el;
    while (back && getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)") {
        back = back.parentElement;
    }
    return {
        text: el.innerText, colour: style.color, size: parseFloat(style.fontSize),
        background: back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)",
        clipped: el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight,
        visible: box.width > 0 && box.top >= 0 && box.bottom <= window.innerHeight,
    };
}"""


def _both(key: str) -> str:
    return f"{label(key, 'nb')} / {label(key, 'en')}"


def _assert_readable_form(page: Any) -> None:
    """Each field has a visible label, in both languages, legible, and names its input."""
    for field, key in (("username", "login.user"), ("password", "login.password")):
        style = page.locator(f'label[for="{field}"]').evaluate(_LABEL_STYLE)
        assert style["text"] == _both(key)
        assert style["visible"] and not style["clipped"], style
        assert style["size"] >= 14, style
        assert _contrast(style["colour"], style["background"]) >= 4.5, style
        assert page.get_by_label(_both(key), exact=True).get_attribute("name") == field


@pytest.mark.server
def test_browser_login_and_logout_pages_ask_nothing_of_another_host(tmp_path: Path) -> None:
    with _serving(tmp_path) as (port, _), _recorded_page() as (page, requests, problems):
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/standin")
        assert page.url.startswith(f"{base}/login")
        assert page.title().startswith(_both("login.title"))
        assert page.locator("h1").inner_text() == _both("login.title")
        _assert_readable_form(page)
        # A wrong password: the form again, saying so in both languages.
        page.get_by_label(_both("login.user")).fill("kari")
        page.get_by_label(_both("login.password")).fill("wrong password")
        page.get_by_role("button", name=_both("login.title")).click()
        page.wait_for_load_state()
        alert = page.get_by_role("alert").inner_text()
        assert label("login.failed", "nb") in alert and label("login.failed", "en") in alert
        _assert_readable_form(page)
        # The right one: the app.
        page.get_by_label(_both("login.user")).fill("kari")
        page.get_by_label(_both("login.password")).fill(PASSWORDS["kari"])
        page.get_by_role("button", name=_both("login.title")).click()
        page.wait_for_url(f"{base}/standin")
        page.wait_for_selector("text=stand-in", timeout=60_000)
        assert page.title() == "stand-in k=7 store=bti.duckdb"
        # Logging out, and back to the form.
        page.goto(f"{base}/logout")
        assert page.locator("h1").inner_text() == _both("login.logged_out_title")
        page.get_by_role("link", name=_both("login.again")).click()
        page.wait_for_url(f"{base}/login**")
        _assert_readable_form(page)
        page.wait_for_timeout(500)
    assert len(requests) >= 8
    assert _elsewhere(requests, port) == []
    assert problems == []


@pytest.mark.server
def test_browser_app_page_asks_nothing_of_another_host(tmp_path: Path, demo_store: Path) -> None:
    with (
        _serving(tmp_path, app_source=None, store=demo_store, k=5) as (port, log),
        _recorded_page() as (page, requests, problems),
    ):
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/leader_app")
        page.get_by_label(_both("login.user")).fill("ola")
        page.get_by_label(_both("login.password")).fill(PASSWORDS["ola"])
        page.get_by_role("button", name=_both("login.title")).click()
        page.wait_for_selector(".bti-card", timeout=180_000)
        for name in ("load", "collaboration", "evaluation", "plan"):  # after "status"
            page.locator(".bk-tab", has_text=label(f"dash.page.{name}", "nb")).first.click()
            shown = page.locator(".js-plotly-plot").filter(visible=True)
            shown.first.wait_for(timeout=180_000)
            page.wait_for_timeout(1_500)
        page.get_by_text(label("ui.language_name", "en"), exact=True).click()
        english = label("dash.page.collaboration", "en")
        page.wait_for_selector(f".bk-tab:has-text('{english}')", timeout=60_000)
        page.wait_for_timeout(1_500)
        local = [url for url in requests if "/static/" in url]
    assert len(local) >= 10, requests  # Bokeh's and Panel's files, from the server
    assert _elsewhere(requests, port) == []
    assert problems == [], log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _pulled_stylesheets(url: str) -> list[str]:
    """The stylesheet URLs of a session that a client's websocket opens (no page request)."""
    import panel.models
    from bokeh.client import pull_session
    from bokeh.models import ImportedStyleSheet

    for module in pkgutil.iter_modules(panel.models.__path__):
        importlib.import_module(f"panel.models.{module.name}")
    with pull_session(url=url) as session:
        models = session.document.models
        return sorted({str(m.url) for m in models if isinstance(m, ImportedStyleSheet)})


@pytest.mark.server
def test_a_session_the_websocket_opens_loads_stylesheets_from_the_server(tmp_path: Path) -> None:
    # A page whose session expired before its websocket connected (under load), or whose
    # websocket reached another worker (--num-procs), gets a session the websocket opens.
    # Panel gives such a session cdn.holoviz.org's stylesheets unless the setup hook runs.
    with _serving(tmp_path, app_source=STAND_IN_TEMPLATE, login=False) as (port, _):
        urls = _pulled_stylesheets(f"http://127.0.0.1:{port}/standin")
        assert len(urls) >= 4, urls  # the template's, the Markdown's, the widgets'
        assert [url for url in urls if "//" in url or ":" in url] == [], urls
        browser = _Browser(port)
        for url in urls:
            assert browser.request("GET", urljoin("/standin", url))[0] == 200, url

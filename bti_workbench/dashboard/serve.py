"""Serving the leaders' dashboard on a server: the ``panel serve`` command behind ``bti serve``.

:func:`serve_command` builds the command line and refuses unsafe combinations (a dashboard
reachable from other machines without a login, a login over plain HTTP, OAuth that lets any
account holder in); :func:`serve_environment` builds the environment the server runs in: the
store and the small-cell threshold for the app, and the secrets, which never appear on a
command line (any user of the machine can read those) nor in a message.

This file is also the ``--setup`` script of ``panel serve`` when users are listed with
``--allow-user``: run that way it installs :func:`authorize_user` as Panel's authorisation
callback (see the end of the file). See ``docs/serving.md``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, NoReturn
from urllib.parse import urlparse

from bti_workbench.errors import ServeError
from bti_workbench.privacy import DEFAULT_K

__all__ = [
    "ALLOWED_USERS_VARIABLE",
    "CHECK_UNUSED_SESSIONS_MS",
    "LEADER_APP",
    "MIN_SECRET_LENGTH",
    "OAUTH_PROVIDERS",
    "PANEL_AUTH_VARIABLES",
    "REPOSITORY",
    "UNUSED_SESSION_LIFETIME_MS",
    "CredentialsFile",
    "ServeError",
    "authorize_user",
    "check_credentials",
    "check_private_file",
    "exec_server",
    "is_loopback",
    "serve_command",
    "serve_environment",
    "websocket_origins",
]

#: The repository holding the package (a checkout), where private files must not live.
REPOSITORY = Path(__file__).resolve().parents[2]
#: The leaders' Panel app that ``bti serve`` serves at ``/leader_app``.
LEADER_APP = Path(__file__).resolve().with_name("leader_app.py")

# Sessions whose browser tab has gone (no connection left) are discarded this long after
# the last connection closed, checked this often: their documents and data are released.
CHECK_UNUSED_SESSIONS_MS = 10_000
UNUSED_SESSION_LIFETIME_MS = 15_000

ALLOWED_USERS_VARIABLE = "BTI_ALLOWED_USERS"
MIN_SECRET_LENGTH = 32

# Panel's OAuth providers that bti serve accepts (panel.auth.AUTH_PROVIDERS without the
# password-grant and PAM ones). Anyone can open an account with the first four, so they
# need --allow-user; Azure AD needs a tenant (or --allow-user); the others are an
# organisation's own identity provider.
OAUTH_PROVIDERS = (
    "github",
    "gitlab",
    "bitbucket",
    "google",
    "azure",
    "azurev2",
    "okta",
    "auth0",
    "generic",
)
_PUBLIC_PROVIDERS = frozenset(OAUTH_PROVIDERS[:4])
_AZURE = frozenset({"azure", "azurev2"})
_OPEN_TENANTS = frozenset({"", "common", "organizations", "consumers"})

# Environment variables through which Panel or Bokeh would take authentication, secrets or
# websocket origins. bti serve removes them, so that what it checked is what runs.
PANEL_AUTH_VARIABLES = (
    "AAD_TENANT_ID",
    "BOKEH_ALLOW_WS_ORIGIN",
    "BOKEH_COOKIE_SECRET",
    "PANEL_BASIC_AUTH",
    "PANEL_COOKIE_SECRET",
    "PANEL_OAUTH_AUTHORIZE_URL",
    "PANEL_OAUTH_ENCRYPTION",
    "PANEL_OAUTH_EXTRA_PARAMS",
    "PANEL_OAUTH_GUEST_ENDPOINTS",
    "PANEL_OAUTH_JWT_USER",
    "PANEL_OAUTH_KEY",
    "PANEL_OAUTH_LOGOUT_URL",
    "PANEL_OAUTH_OPTIONAL",
    "PANEL_OAUTH_PROVIDER",
    "PANEL_OAUTH_REDIRECT_URI",
    "PANEL_OAUTH_SCOPE",
    "PANEL_OAUTH_SECRET",
    "PANEL_OAUTH_TOKEN_URL",
    "PANEL_OAUTH_USER_URL",
    "PANEL_USER_KEY",
)

_SECRET_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
_KEY_HINT = (
    'python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


class CredentialsFile(NamedTuple):
    """A checked basic-auth credentials file.

    Attributes
    ----------
    path : Path
        The file, absolute.
    users : int
        How many users it lists.
    private : bool
        Whether only its owner may read it (no group or other permission bits).
    """

    path: Path
    users: int
    private: bool


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine.

    Parameters
    ----------
    address : str
        What the server binds to: an IP address, ``localhost`` or a host name. Host names
        other than ``localhost`` are not looked up and count as reachable from outside.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("10.0.0.5"), is_loopback("bti.example.no")
    (False, False, False)
    """
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(address: str) -> bool:
    try:
        return not address or ipaddress.ip_address(address.strip("[]")).is_unspecified
    except ValueError:
        return False


def _check_origin(origin: str) -> str:
    if "://" in origin or "/" in origin:
        raise ServeError(
            f"--allow-websocket-origin {origin!r}: give the host name browsers use, "
            "e.g. bti.example.no or bti.example.no:8443, without a scheme or path"
        )
    host, _, port = origin.partition(":")
    if host == "*":
        raise ServeError(
            f"--allow-websocket-origin {origin!r}: a bare wildcard lets any web site's page "
            "use a logged-in viewer's session; name the host"
        )
    if not host or ":" in port or (port and not port.isdigit()):
        raise ServeError(f"--allow-websocket-origin {origin!r}: expected HOST or HOST:PORT")
    return origin.lower()


def websocket_origins(address: str, port: int, extra: Iterable[str] = ()) -> list[str]:
    """The ``HOST:PORT`` values a browser's page may open the dashboard's websocket from.

    The server's own address and port (``localhost`` and ``127.0.0.1`` for a loopback
    address), then ``extra``: the host names browsers use, e.g. the public name of a
    reverse proxy. Bokeh reads a name without a port as port 80, and compares the browser's
    ``Origin`` the same way, so ``bti.example.no`` also matches ``https://bti.example.no``.

    Parameters
    ----------
    address : str
        The address the server binds to.
    port : int
        The port it listens on.
    extra : iterable of str
        Further origins, ``HOST`` or ``HOST:PORT``; ``*.example.no`` matches subdomains.

    Returns
    -------
    list of str
        Without repeats, in that order.

    Raises
    ------
    ServeError
        For the wildcard address (``0.0.0.0``, ``::``) or an IPv6 address with no
        ``extra`` (browsers' origin is then a name the server cannot know), or an origin that
        is a URL or a bare ``*``.

    Examples
    --------
    >>> websocket_origins("127.0.0.1", 5006)
    ['localhost:5006', '127.0.0.1:5006']
    >>> websocket_origins("0.0.0.0", 8080, ["bti.example.no:8080"])
    ['bti.example.no:8080']
    """
    own: list[str] = []
    if is_loopback(address):
        own = [f"localhost:{port}", f"127.0.0.1:{port}"]
    elif not _is_wildcard(address) and ":" not in address:
        own = [f"{address.lower()}:{port}"]
    origins = own + [_check_origin(origin) for origin in extra]
    if not origins:
        raise ServeError(
            f"--address {address}: name the host browsers use to reach the server with "
            f"--allow-websocket-origin HOST[:PORT] (e.g. bti.example.no:{port})"
        )
    return list(dict.fromkeys(origins))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _in_git_worktree(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / ".git").exists():
            return parent
    return None


def check_private_file(path: Path, repository: Path = REPOSITORY, what: str = "file") -> Path:
    """Check that a file holding secrets exists and lies outside any repository.

    A secret inside the workbench's folder, or inside any git working tree, is one
    ``git add`` away from being committed.

    Parameters
    ----------
    path : Path
        The file.
    repository : Path
        The workbench's folder (default: the one this module belongs to).
    what : str
        What the file is, for messages.

    Returns
    -------
    Path
        The file's absolute, resolved path.

    Raises
    ------
    ServeError
        When the file is missing or lies inside ``repository`` or a git working tree.

    Examples
    --------
    >>> check_private_file(Path(__file__), what="key file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bti_workbench.dashboard.serve.ServeError: key file serve.py lies inside the repository ...
    """
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise ServeError(f"{what} {path} not found")
    folder = Path(repository).resolve()
    tree = folder if _inside(resolved, folder) else _in_git_worktree(resolved)
    if tree is not None:
        raise ServeError(
            f"{what} {resolved.name} lies inside the repository {tree}; secrets must never be "
            "committed: move it outside (e.g. /etc/bti/, mode 600) and give that path"
        )
    return resolved


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ServeError("a user is listed twice")
    return dict(pairs)


def check_credentials(path: Path, repository: Path = REPOSITORY) -> CredentialsFile:
    """Check a basic-auth credentials file: Panel's JSON object mapping user to password.

    The file must exist outside any repository (see :func:`check_private_file`) and hold
    a JSON object of at least one user, each a non-empty string mapped to a non-empty
    password string, no user twice. Messages name entries by position, never a user name
    or a password.

    Parameters
    ----------
    path : Path
        The file, e.g. ``/etc/bti/users.json`` holding ``{"kari": "…", "ola": "…"}``.
    repository : Path
        The workbench's folder.

    Returns
    -------
    CredentialsFile

    Raises
    ------
    ServeError
        What is wrong, without the file's content.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> file = Path(folder.name) / "users.json"
    >>> _ = file.write_text('{"kari": "a long passphrase", "ola": "another one"}')
    >>> file.chmod(0o600)
    >>> checked = check_credentials(file)
    >>> checked.users, checked.private
    (2, True)
    >>> _ = file.write_text('{"kari": ""}')
    >>> check_credentials(file)
    Traceback (most recent call last):
    ...
    bti_workbench.dashboard.serve.ServeError: credentials file users.json: entry 1 has an empty password
    >>> folder.cleanup()
    """
    resolved = check_private_file(path, repository, "credentials file")
    name = f"credentials file {resolved.name}"
    try:
        text = resolved.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServeError(f"{name}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
    try:
        users = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise ServeError(
            f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            'expected {"user": "password", ...}'
        ) from None
    except ServeError as exc:
        raise ServeError(f"{name}: {exc}") from None
    if not isinstance(users, dict):
        raise ServeError(f'{name}: expected a JSON object {{"user": "password", ...}}')
    if not users:
        raise ServeError(f"{name}: lists no users")
    for position, (user, password) in enumerate(users.items(), start=1):
        if not user.strip():
            raise ServeError(f"{name}: entry {position} has an empty user name")
        if not isinstance(password, str):
            raise ServeError(f"{name}: the password of entry {position} is not a string")
        if not password:
            raise ServeError(f"{name}: entry {position} has an empty password")
    private = not resolved.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    return CredentialsFile(resolved, len(users), private)


def _check_secret(secret: str | None, option: str, variable: str) -> None:
    if not secret:
        raise ServeError(f"{option} is required (or set ${variable}); make one with {_SECRET_HINT}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ServeError(
            f"{option} is too short to sign cookies safely: at least {MIN_SECRET_LENGTH} "
            f"characters; make one with {_SECRET_HINT}"
        )


def _check_encryption_key(key: str | None) -> None:
    if not key:
        raise ServeError(
            "OAuth needs --oauth-encryption-key (or $BTI_OAUTH_ENCRYPTION_KEY), otherwise "
            f"the provider's tokens travel unencrypted in cookies; make one with {_KEY_HINT}"
        )
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ServeError(
            f"--oauth-encryption-key must be 32 bytes in URL-safe base64; make one with {_KEY_HINT}"
        )


def _check_users(users: Sequence[str]) -> list[str]:
    for user in users:
        if not user or user != user.strip() or "," in user or any(c.isspace() for c in user):
            raise ServeError("--allow-user: a user name is empty or holds a comma or a space")
    return list(dict.fromkeys(users))


def _extra_params(text: str | None) -> dict[str, object]:
    if not text:
        return {}
    try:
        params = json.loads(text)
    except json.JSONDecodeError:
        params = None
    if not isinstance(params, dict) or not all(
        isinstance(value, str | int | float | bool | list) for value in params.values()
    ):
        raise ServeError(
            '--oauth-extra-params: expected a JSON object, e.g. {"tenant": "<tenant id>"}'
        )
    return params


def _check_oauth(
    provider: str,
    key: str | None,
    secret: str | None,
    encryption_key: str | None,
    redirect_uri: str | None,
    params: Mapping[str, object],
    allow_user: Sequence[str],
) -> None:
    if provider not in OAUTH_PROVIDERS:
        raise ServeError(f"--oauth-provider {provider!r}: use one of {', '.join(OAUTH_PROVIDERS)}")
    if not key:
        raise ServeError("--oauth-provider needs --oauth-key (the client id)")
    if not secret:
        raise ServeError("--oauth-provider needs --oauth-secret (or $BTI_OAUTH_SECRET)")
    _check_encryption_key(encryption_key)
    if redirect_uri is not None:
        parsed = urlparse(redirect_uri)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ServeError("--oauth-redirect-uri: expected an absolute URL https://host/…")
    if allow_user:
        return
    if provider in _PUBLIC_PROVIDERS:
        raise ServeError(
            f"anyone can open a {provider} account, and every account could log in: name who "
            "may see the dashboard with --allow-user (repeatable)"
        )
    if provider in _AZURE and str(params.get("tenant", "")).lower() in _OPEN_TENANTS:
        raise ServeError(
            "Azure AD without a tenant lets any Microsoft account log in: give the "
            'municipality\'s tenant with --oauth-extra-params \'{"tenant": "<tenant id>"}\' '
            "or name users with --allow-user"
        )
    if provider == "generic" and not {"AUTHORIZE_URL", "TOKEN_URL"} <= set(params):
        raise ServeError(
            "--oauth-provider generic needs AUTHORIZE_URL and TOKEN_URL (and USER_URL or an "
            "id token) in --oauth-extra-params"
        )


def serve_command(
    app: Path,
    *,
    port: int = 5006,
    address: str = "127.0.0.1",
    num_procs: int = 1,
    basic_auth: Path | None = None,
    cookie_secret: str | None = None,
    oauth_provider: str | None = None,
    oauth_key: str | None = None,
    oauth_secret: str | None = None,
    oauth_encryption_key: str | None = None,
    oauth_redirect_uri: str | None = None,
    oauth_extra_params: str | None = None,
    allow_user: Sequence[str] = (),
    allow_websocket_origin: Sequence[str] = (),
    behind_proxy: bool = False,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
    insecure: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """The ``panel serve`` command line that serves ``app``; refuses unsafe combinations.

    Pure: reads no file and no environment. The secrets (``cookie_secret``,
    ``oauth_secret``, ``oauth_encryption_key``) are checked here but are not in the
    command: :func:`serve_environment` passes them. The command always names the websocket
    origins (:func:`websocket_origins`) and discards a session
    :data:`UNUSED_SESSION_LIFETIME_MS` after its last connection closed, so sessions that
    close release their memory.

    Parameters
    ----------
    app : Path
        The Panel app file, e.g. :data:`LEADER_APP`.
    port, address : int, str
        Where to listen. Loopback (``127.0.0.1``, ``localhost``, ``::1``) is the default.
    num_procs : int
        Worker processes (0: one per CPU). Each holds its own sessions and caches.
    basic_auth : Path, optional
        A credentials file checked with :func:`check_credentials` (absolute path).
    cookie_secret : str, optional
        Signs the login cookies; needed by any authentication; 32 characters or more.
    oauth_provider, oauth_key, oauth_secret : str, optional
        An OAuth provider from :data:`OAUTH_PROVIDERS`, its client id and client secret.
    oauth_encryption_key : str, optional
        32 bytes in URL-safe base64; required with OAuth (encrypts tokens in cookies).
    oauth_redirect_uri : str, optional
        The URL the provider sends users back to (the public URL behind a proxy).
    oauth_extra_params : str, optional
        A JSON object for the provider, e.g. ``{"tenant": "…"}`` for Azure AD.
    allow_user : sequence of str
        Only these users may see the dashboard (compared without case). Required with
        GitHub, GitLab, Bitbucket and Google, and with Azure AD without a tenant.
    allow_websocket_origin : sequence of str
        More ``HOST[:PORT]`` browsers use, e.g. the proxy's public name.
    behind_proxy : bool
        A reverse proxy terminates TLS and forwards to this server: trust its
        ``X-Forwarded-*`` headers, and require authentication even on loopback (the proxy
        makes it reachable from outside) and a public origin.
    ssl_certfile, ssl_keyfile : Path, optional
        Terminate TLS in the server itself (absolute paths).
    insecure : bool
        Allow, for a test on a closed network, listening beyond loopback without
        authentication or without TLS.
    python : str
        The interpreter that runs ``-m panel`` (default: this one, so this environment's
        Panel).

    Returns
    -------
    list of str

    Raises
    ------
    ServeError
        For a refused combination; the message says what to do and holds no secret.

    Examples
    --------
    >>> command = serve_command(Path("/srv/bti/app.py"), python="python")
    >>> " ".join(command[:11])
    'python -m panel serve /srv/bti/app.py --address 127.0.0.1 --port 5006 --num-procs 1'
    >>> serve_command(Path("app.py"), address="0.0.0.0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bti_workbench.dashboard.serve.ServeError: --address 0.0.0.0 reaches other machines: ...
    """
    if not 1 <= port <= 65535:
        raise ServeError(f"--port {port}: expected 1–65535")
    if num_procs < 0:
        raise ServeError("--num-procs: expected 0 (one per CPU) or more")
    users = _check_users(allow_user)
    params = _extra_params(oauth_extra_params)
    if basic_auth is not None and oauth_provider is not None:
        raise ServeError("choose one of --basic-auth and --oauth-provider")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise ServeError("TLS needs both --ssl-certfile and --ssl-keyfile")
    authenticated = basic_auth is not None or oauth_provider is not None
    local = is_loopback(address)
    if not authenticated and (not local or behind_proxy) and not insecure:
        reason = "behind a proxy it" if local else f"--address {address}"
        raise ServeError(
            f"{reason} reaches other machines: log in with --basic-auth FILE or "
            "--oauth-provider (see docs/serving.md), or add --insecure for a test on a "
            "closed network"
        )
    if not local and not behind_proxy and ssl_certfile is None and not insecure:
        raise ServeError(
            f"--address {address} without TLS sends passwords and cookies in clear text: put "
            "a reverse proxy with TLS in front (--behind-proxy, listening on 127.0.0.1), or give "
            "--ssl-certfile and --ssl-keyfile, or add --insecure for a test on a closed network"
        )
    if behind_proxy and not allow_websocket_origin:
        raise ServeError(
            "--behind-proxy: name the proxy's public host with --allow-websocket-origin HOST"
        )
    if users and not authenticated:
        raise ServeError("--allow-user needs --basic-auth or --oauth-provider")
    if authenticated:
        _check_secret(cookie_secret, "--cookie-secret", "BTI_COOKIE_SECRET")
    if oauth_provider is not None:
        _check_oauth(
            oauth_provider,
            oauth_key,
            oauth_secret,
            oauth_encryption_key,
            oauth_redirect_uri,
            params,
            users,
        )
    command = [python, "-m", "panel", "serve", str(app)]
    command += ["--address", address, "--port", str(port), "--num-procs", str(num_procs)]
    for origin in websocket_origins(address, port, allow_websocket_origin):
        command += ["--allow-websocket-origin", origin]
    command += ["--check-unused-sessions", str(CHECK_UNUSED_SESSIONS_MS)]
    command += ["--unused-session-lifetime", str(UNUSED_SESSION_LIFETIME_MS)]
    if behind_proxy:
        command.append("--use-xheaders")
    if ssl_certfile is not None and ssl_keyfile is not None:
        command += ["--ssl-certfile", str(ssl_certfile), "--ssl-keyfile", str(ssl_keyfile)]
    if basic_auth is not None:
        command += ["--basic-auth", str(basic_auth)]
    if oauth_provider is not None:
        command += ["--oauth-provider", oauth_provider, "--oauth-key", str(oauth_key)]
        if oauth_redirect_uri is not None:
            command += ["--oauth-redirect-uri", oauth_redirect_uri]
        if params:
            # Panel reads this option with ast.literal_eval: a Python literal.
            command += ["--oauth-extra-params", repr(params)]
    if users:
        command += ["--setup", str(Path(__file__).resolve())]
    return command


def serve_environment(
    environ: Mapping[str, str],
    *,
    store: Path | None = None,
    k: int = DEFAULT_K,
    cookie_secret: str | None = None,
    oauth_secret: str | None = None,
    oauth_encryption_key: str | None = None,
    allow_user: Sequence[str] = (),
) -> dict[str, str]:
    """The environment the server runs in: ``environ`` with the app's settings and secrets.

    Pure: returns a new mapping. The app reads the store from ``BTI_STORE`` (left as in
    ``environ`` when ``store`` is None) and the small-cell threshold from
    ``BTI_SUPPRESSION_K`` (always set: a viewer can never choose it). Panel reads the
    secrets from ``PANEL_COOKIE_SECRET``, ``PANEL_OAUTH_SECRET`` and
    ``PANEL_OAUTH_ENCRYPTION``, so they stay off the command line. Every other variable of
    :data:`PANEL_AUTH_VARIABLES` is removed, so only what :func:`serve_command` checked
    takes effect.

    Parameters
    ----------
    environ : mapping of str to str
        The environment to start from, usually ``os.environ``.
    store : Path, optional
        The DuckDB store the dashboard reads.
    k : int
        The small-cell threshold, at least 2.
    cookie_secret, oauth_secret, oauth_encryption_key : str, optional
        The secrets checked by :func:`serve_command`.
    allow_user : sequence of str
        Users allowed to see the dashboard (``BTI_ALLOWED_USERS``, read by the setup hook).

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> env = serve_environment({"PATH": "/usr/bin", "PANEL_OAUTH_KEY": "x"}, k=7)
    >>> sorted(env.items())
    [('BTI_SUPPRESSION_K', '7'), ('PATH', '/usr/bin')]
    """
    if k < 2:
        raise ServeError("--k must be at least 2")
    removed = {*PANEL_AUTH_VARIABLES, ALLOWED_USERS_VARIABLE}
    env = {name: value for name, value in environ.items() if name not in removed}
    if store is not None:
        env["BTI_STORE"] = str(store)
    env["BTI_SUPPRESSION_K"] = str(k)
    secrets = {
        "PANEL_COOKIE_SECRET": cookie_secret,
        "PANEL_OAUTH_SECRET": oauth_secret,
        "PANEL_OAUTH_ENCRYPTION": oauth_encryption_key,
    }
    env.update({name: value for name, value in secrets.items() if value})
    if allow_user:
        env[ALLOWED_USERS_VARIABLE] = ",".join(_check_users(allow_user))
    return env


def authorize_user(user: str | None, allowed: Iterable[str]) -> bool:
    """Whether a logged-in ``user`` is one of ``allowed`` (compared without case).

    Examples
    --------
    >>> authorize_user("Kari@Example.no", ["kari@example.no"]), authorize_user(None, ["x"])
    (True, False)
    """
    if not user:
        return False
    return user.casefold() in {name.casefold() for name in allowed}


def exec_server(command: Sequence[str], environ: Mapping[str, str]) -> NoReturn:
    """Replace this process with ``command`` run in ``environ`` (no shell)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], list(command), dict(environ))


def _install_allow_list(environ: Mapping[str, str]) -> None:
    """Make Panel refuse (403) every user not in ``$BTI_ALLOWED_USERS``."""
    allowed = [name for name in environ.get(ALLOWED_USERS_VARIABLE, "").split(",") if name]
    if not allowed:
        return
    import panel as pn
    from panel.io.state import state

    def authorize(_user_info: dict | None) -> bool:
        return authorize_user(state.user, allowed)

    pn.config.authorize_callback = authorize


# `panel serve --setup` runs this file's code under another name, outside sys.modules (see
# serve_command); hence NamedTuple rather than a dataclass, which looks its module up.
if __name__ not in ("bti_workbench.dashboard.serve", "__main__"):
    _install_allow_list(os.environ)

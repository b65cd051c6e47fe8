"""Serving the leaders' dashboard on a server: the ``panel serve`` command behind ``bti serve``.

:func:`serve_command` builds the command line and refuses unsafe combinations (a dashboard
reachable from other machines without a login, a login over plain HTTP, OAuth that lets any
account holder in); :func:`serve_environment` builds the environment the server runs in: the
store and the small-cell threshold for the app, and the secrets, which never appear on a
command line (any user of the machine can read those) nor in a message.

The command runs :mod:`bti_workbench.dashboard.panel_setup` as Panel's ``--setup`` script in
the server's process before it takes requests: it loads (or compiles) the simulation engine,
so no user waits for that, makes every session's page load Panel's stylesheets from the
server itself (:func:`install_local_stylesheets`), and, when users are listed with
``--allow-user``, installs the allow list of :mod:`bti_workbench.dashboard.credentials`.

No page asks anything of another host, so the dashboard works on a server without the
internet: the environment pins Bokeh's resources to the server (:data:`OFFLINE_ENVIRONMENT`),
and the login, logout and error pages are the workbench's own
(:mod:`bti_workbench.dashboard.auth_pages`), self-contained and in both languages.
See ``docs/serving.md``.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import ipaddress
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlparse

from bti_workbench.dashboard.auth_pages import AUTH_PAGES
from bti_workbench.dashboard.credentials import ALLOWED_USERS_VARIABLE
from bti_workbench.errors import ServeError
from bti_workbench.privacy import DEFAULT_K

if TYPE_CHECKING:
    from bokeh.server.contexts import BokehSessionContext

__all__ = [
    "CHECK_UNUSED_SESSIONS_MS",
    "LEADER_APP",
    "MIN_SECRET_LENGTH",
    "OAUTH_EXTRA",
    "OAUTH_PROVIDERS",
    "OFFLINE_ENVIRONMENT",
    "PANEL_AUTH_VARIABLES",
    "PANEL_SETUP",
    "UNUSED_SESSION_LIFETIME_MS",
    "check_oauth_support",
    "exec_server",
    "install_local_stylesheets",
    "is_loopback",
    "local_dist_url",
    "serve_command",
    "serve_environment",
    "websocket_origins",
]

#: The leaders' Panel app that ``bti serve`` serves at ``/leader_app``.
LEADER_APP = Path(__file__).resolve().with_name("leader_app.py")
#: Panel's ``--setup`` script: loads the compiled engine before the first user, and installs
#: the allow list when users are listed with ``--allow-user``.
PANEL_SETUP = Path(__file__).resolve().with_name("panel_setup.py")

#: Set in the server's environment whatever it held: Bokeh serves its own and Panel's
#: JavaScript and stylesheets from the server (``cdn`` would send pages to cdn.bokeh.org and
#: cdn.holoviz.org, ``inline`` to cdn.holoviz.org and cdn.jsdelivr.net).
OFFLINE_ENVIRONMENT = {"BOKEH_RESOURCES": "server"}

#: The optional dependencies OAuth needs: ``pip install 'bti_workbench[oauth]'``.
OAUTH_EXTRA = "bti_workbench[oauth]"

#: How often (ms) the server looks for sessions without a connection (browser tab gone).
CHECK_UNUSED_SESSIONS_MS = 10_000
#: How long (ms) after its last connection closed a session is discarded, releasing its
#: documents and data.
UNUSED_SESSION_LIFETIME_MS = 15_000

#: The shortest cookie secret accepted (characters).
MIN_SECRET_LENGTH = 32

#: Panel's OAuth providers that bti serve accepts (``panel.auth.AUTH_PROVIDERS`` without the
#: password-grant and PAM ones). Anyone can open an account with the first four, so they
#: need ``--allow-user``; Azure AD needs a tenant (or ``--allow-user``); the others are an
#: organisation's own identity provider.
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

#: Environment variables through which Panel or Bokeh would take authentication, secrets or
#: websocket origins. bti serve removes them, so that what it checked is what runs.
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

    Pure: reads no file and no environment (with OAuth it only checks that the
    ``cryptography`` package is installed, :func:`check_oauth_support`). The secrets
    (``cookie_secret``, ``oauth_secret``, ``oauth_encryption_key``) are checked here but are
    not in the command: :func:`serve_environment` passes them. The command always names the
    websocket origins (:func:`websocket_origins`) and discards a session
    :data:`UNUSED_SESSION_LIFETIME_MS` after its last connection closed, so sessions that
    close release their memory. With a login it gives Panel the workbench's own login,
    logout and error pages (:data:`~bti_workbench.dashboard.auth_pages.AUTH_PAGES`), which
    ask nothing of another host.

    Parameters
    ----------
    app : Path
        The Panel app file, e.g. :data:`LEADER_APP`.
    port, address : int, str
        Where to listen. Loopback (``127.0.0.1``, ``localhost``, ``::1``) is the default.
    num_procs : int
        Worker processes (0: one per CPU). Each holds its own sessions and caches.
    basic_auth : Path, optional
        A credentials file checked with
        :func:`~bti_workbench.dashboard.credentials.check_credentials` (absolute path).
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
        For a refused combination, or OAuth without the ``cryptography`` package; the
        message says what to do and holds no secret.

    Examples
    --------
    >>> command = serve_command(Path("/srv/bti/app.py"), python="python")
    >>> " ".join(command[:11])
    'python -m panel serve /srv/bti/app.py --address 127.0.0.1 --port 5006 --num-procs 1'
    >>> serve_command(Path("app.py"), address="0.0.0.0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bti_workbench.errors.ServeError: --address 0.0.0.0 reaches other machines: ...
    """
    if not 1 <= port <= 65535:
        raise ServeError(f"--port {port}: expected 1–65535")
    if num_procs < 0:
        raise ServeError("--num-procs: expected 0 (one per CPU) or more")
    users = _check_users(allow_user)
    params = _extra_params(oauth_extra_params)
    _check_exposure(
        address,
        basic_auth=basic_auth,
        oauth_provider=oauth_provider,
        behind_proxy=behind_proxy,
        allow_websocket_origin=allow_websocket_origin,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        insecure=insecure,
    )
    if users and basic_auth is None and oauth_provider is None:
        raise ServeError("--allow-user needs --basic-auth or --oauth-provider")
    if basic_auth is not None or oauth_provider is not None:
        _check_secret(cookie_secret, "--cookie-secret", "BTI_COOKIE_SECRET")
    if oauth_provider is not None:
        check_oauth_support()
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
    command += _server_arguments(address, port, num_procs, allow_websocket_origin, behind_proxy)
    if ssl_certfile is not None and ssl_keyfile is not None:
        command += ["--ssl-certfile", str(ssl_certfile), "--ssl-keyfile", str(ssl_keyfile)]
    command += _login_arguments(basic_auth, oauth_provider, oauth_key, oauth_redirect_uri, params)
    return [*command, "--setup", str(PANEL_SETUP)]


def _check_exposure(
    address: str,
    *,
    basic_auth: Path | None,
    oauth_provider: str | None,
    behind_proxy: bool,
    allow_websocket_origin: Sequence[str],
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
    insecure: bool,
) -> None:
    """Refuse a server others reach without a login or without TLS."""
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


def _server_arguments(
    address: str,
    port: int,
    num_procs: int,
    allow_websocket_origin: Sequence[str],
    behind_proxy: bool,
) -> list[str]:
    """Where the server listens, its websocket origins and how long idle sessions live."""
    arguments = ["--address", address, "--port", str(port), "--num-procs", str(num_procs)]
    for origin in websocket_origins(address, port, allow_websocket_origin):
        arguments += ["--allow-websocket-origin", origin]
    arguments += ["--check-unused-sessions", str(CHECK_UNUSED_SESSIONS_MS)]
    arguments += ["--unused-session-lifetime", str(UNUSED_SESSION_LIFETIME_MS)]
    if behind_proxy:
        arguments.append("--use-xheaders")
    return arguments


def _login_arguments(
    basic_auth: Path | None,
    oauth_provider: str | None,
    oauth_key: str | None,
    oauth_redirect_uri: str | None,
    params: Mapping[str, object],
) -> list[str]:
    """The login options: the credentials file, or the OAuth provider and its settings; and
    the workbench's own pages around the login."""
    arguments: list[str] = []
    if basic_auth is None and oauth_provider is None:
        return arguments
    arguments += ["--logout-template", str(AUTH_PAGES["logout"])]
    # Panel shows this page to a user the allow list refuses, and when an OAuth login fails.
    arguments += ["--auth-template", str(AUTH_PAGES["error"])]
    if basic_auth is not None:
        arguments += ["--basic-auth", str(basic_auth)]
        arguments += ["--basic-login-template", str(AUTH_PAGES["login"])]
    if oauth_provider is not None:
        arguments += ["--oauth-provider", oauth_provider, "--oauth-key", str(oauth_key)]
        if oauth_redirect_uri is not None:
            arguments += ["--oauth-redirect-uri", oauth_redirect_uri]
        if params:
            # Panel reads this option with ast.literal_eval: a Python literal.
            arguments += ["--oauth-extra-params", repr(params)]
    return arguments


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
    ``BTI_SUPPRESSION_K`` (always set: a viewer can never choose it);
    :data:`OFFLINE_ENVIRONMENT` keeps every page's resources on the server. Panel reads the
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
    [('BOKEH_RESOURCES', 'server'), ('BTI_SUPPRESSION_K', '7'), ('PATH', '/usr/bin')]
    """
    if k < 2:
        raise ServeError("--k must be at least 2")
    removed = {*PANEL_AUTH_VARIABLES, ALLOWED_USERS_VARIABLE}
    env = {name: value for name, value in environ.items() if name not in removed}
    if store is not None:
        env["BTI_STORE"] = str(store)
    env["BTI_SUPPRESSION_K"] = str(k)
    env.update(OFFLINE_ENVIRONMENT)
    secrets = {
        "PANEL_COOKIE_SECRET": cookie_secret,
        "PANEL_OAUTH_SECRET": oauth_secret,
        "PANEL_OAUTH_ENCRYPTION": oauth_encryption_key,
    }
    env.update({name: value for name, value in secrets.items() if value})
    if allow_user:
        env[ALLOWED_USERS_VARIABLE] = ",".join(_check_users(allow_user))
    return env


def exec_server(command: Sequence[str], environ: Mapping[str, str]) -> NoReturn:
    """Replace this process with ``command`` run in ``environ`` (no shell)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], list(command), dict(environ))


def check_oauth_support() -> None:
    """Refuse OAuth when the ``cryptography`` package, which encrypts its tokens, is missing.

    Raises
    ------
    ServeError
        Naming the extra to install, :data:`OAUTH_EXTRA`.
    """
    if importlib.util.find_spec("cryptography") is None:
        raise ServeError(
            "OAuth encrypts the provider's tokens with the cryptography package, which is not "
            f"installed: install the workbench's OAuth extra, pip install '{OAUTH_EXTRA}' "
            "(on a server without the internet: from the wheelhouse, see docs/serving.md)"
        )


# --------------------------------------------------------------------------------------------
# Everything from the server itself


def local_dist_url(app_url: str) -> str:
    """Where a page of the app at ``app_url`` finds Panel's files on this server.

    Relative to the page, as Panel itself computes it for a page it renders
    (``panel.io.server.server_html_page_for_session``), so it also holds behind a proxy that
    serves the dashboard under a path.

    Parameters
    ----------
    app_url : str
        The app's path on the server, e.g. ``/leader_app``.

    Returns
    -------
    str

    Examples
    --------
    >>> local_dist_url("/leader_app"), local_dist_url("/apps/leader_app")
    ('static/extensions/panel/', '../static/extensions/panel/')
    """
    from panel.io.resources import LOCAL_DIST

    rel_path = "/".join([".."] * app_url.strip("/").count("/"))
    return f"{rel_path}/{LOCAL_DIST}" if rel_path else LOCAL_DIST


def _local_stylesheets(session_context: BokehSessionContext) -> None:
    """Panel's session-created hook: the new session's document gets the local address."""
    from panel.io.state import state  # Panel runs the hook with the session's document current

    app_url = session_context.server_context.application_context.url or "/"
    state.curdoc.template_variables.setdefault("dist_url", local_dist_url(app_url))


def install_local_stylesheets() -> None:
    """Make every session's page load Panel's stylesheets from this server.

    Panel points each component's stylesheets at cdn.holoviz.org and rewrites them to the
    server's copy only for a session whose page it rendered itself. A session that the
    browser's websocket opens instead (the page's session expired before the page connected,
    as under load, or the page came from another process with ``--num-procs``) kept the CDN
    addresses, which fail without the internet. This gives every new session the server's
    address before the app builds its page. Run by Panel's ``--setup`` script
    (:mod:`bti_workbench.dashboard.panel_setup`), outside any session.
    """
    from panel.io.state import state

    state.on_session_created(_local_stylesheets)

"""``bti serve``: the leaders' dashboard on ``panel serve``, with a login beyond loopback.

The checks of the options and the command line live in :mod:`bti_workbench.dashboard.serve`;
this module turns the options into its calls and prints what it starts. The docstring of the
command is its ``--help`` text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bti_workbench.cli._common import STORE_HELP, Lang, fail, tell
from bti_workbench.reference.labels import label

if TYPE_CHECKING:
    from bti_workbench.dashboard.credentials import CredentialsFile

__all__ = ["serve", "start_lines"]

# The options, one alias each, so that the command's signature reads as a list of names.
_Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on (1–65535).")]
_Address = Annotated[
    str, typer.Option(help="Address to listen on; beyond loopback needs a login and TLS.")
]
_NumProcs = Annotated[int, typer.Option(min=0, help="Worker processes (0: one per CPU).")]
_BasicAuth = Annotated[
    Path | None,
    typer.Option(help='Credentials: JSON {"user": "password", …} outside the repository.'),
]
_CookieSecret = Annotated[
    str | None,
    typer.Option(
        envvar="BTI_COOKIE_SECRET",
        show_default=False,
        help="Signs the login cookies, 32+ characters (better: $BTI_COOKIE_SECRET).",
    ),
]
_OAuthProvider = Annotated[
    str | None, typer.Option(help="github, gitlab, google, azure, okta, generic, …")
]
_OAuthKey = Annotated[str | None, typer.Option(help="The OAuth client id.")]
_OAuthSecret = Annotated[
    str | None,
    typer.Option(envvar="BTI_OAUTH_SECRET", show_default=False, help="OAuth client secret."),
]
_OAuthEncryptionKey = Annotated[
    str | None,
    typer.Option(
        envvar="BTI_OAUTH_ENCRYPTION_KEY",
        show_default=False,
        help="Encrypts OAuth tokens in cookies: 32 bytes, URL-safe base64.",
    ),
]
_OAuthRedirectUri = Annotated[
    str | None, typer.Option(help="Public URL the provider returns to (behind a proxy).")
]
_OAuthExtraParams = Annotated[
    str | None, typer.Option(help='JSON object for the provider, e.g. {"tenant": "…"}.')
]
_AllowUser = Annotated[
    list[str] | None, typer.Option(help="Only this user may see the dashboard; repeatable.")
]
_AllowWebsocketOrigin = Annotated[
    list[str] | None, typer.Option(help="A HOST[:PORT] browsers use; repeatable.")
]
_BehindProxy = Annotated[
    bool, typer.Option(help="A reverse proxy with TLS forwards to this server.")
]
_SslCertfile = Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")]
_SslKeyfile = Annotated[Path | None, typer.Option(help="TLS private key, outside the repository.")]
_Insecure = Annotated[
    bool, typer.Option(help="Allow no login or no TLS beyond loopback (closed tests only).")
]
_Store = Annotated[Path | None, typer.Option(help=f"{STORE_HELP} The app reads it as $BTI_STORE.")]
_K = Annotated[
    int, typer.Option(min=2, help="Small-cell threshold, at least 2; viewers cannot change it.")
]
_AppFile = Annotated[Path | None, typer.Option("--app", hidden=True)]


def serve(
    port: _Port = 5006,
    address: _Address = "127.0.0.1",
    num_procs: _NumProcs = 1,
    basic_auth: _BasicAuth = None,
    cookie_secret: _CookieSecret = None,
    oauth_provider: _OAuthProvider = None,
    oauth_key: _OAuthKey = None,
    oauth_secret: _OAuthSecret = None,
    oauth_encryption_key: _OAuthEncryptionKey = None,
    oauth_redirect_uri: _OAuthRedirectUri = None,
    oauth_extra_params: _OAuthExtraParams = None,
    allow_user: _AllowUser = None,
    allow_websocket_origin: _AllowWebsocketOrigin = None,
    behind_proxy: _BehindProxy = False,
    ssl_certfile: _SslCertfile = None,
    ssl_keyfile: _SslKeyfile = None,
    insecure: _Insecure = False,
    store: _Store = None,
    k: _K = 5,
    app_file: _AppFile = None,
    lang: Lang = "nb",
) -> None:
    """Serve the leaders' dashboard (panel serve); a login is needed beyond this machine."""
    from bti_workbench.dashboard import serve as serving
    from bti_workbench.dashboard.credentials import check_credentials, check_private_file
    from bti_workbench.dashboard.serve import serve_command, serve_environment
    from bti_workbench.errors import ServeError

    app_path = (app_file or serving.LEADER_APP).resolve()
    _check_files(app_path, store, ssl_certfile, lang)
    users = allow_user or []
    try:
        credentials = check_credentials(basic_auth) if basic_auth is not None else None
        keyfile = check_private_file(ssl_keyfile, what="TLS key") if ssl_keyfile else None
        command = serve_command(
            app_path,
            port=port,
            address=address,
            num_procs=num_procs,
            basic_auth=credentials.path if credentials else None,
            cookie_secret=cookie_secret,
            oauth_provider=oauth_provider,
            oauth_key=oauth_key,
            oauth_secret=oauth_secret,
            oauth_encryption_key=oauth_encryption_key,
            oauth_redirect_uri=oauth_redirect_uri,
            oauth_extra_params=oauth_extra_params,
            allow_user=users,
            allow_websocket_origin=allow_websocket_origin or [],
            behind_proxy=behind_proxy,
            ssl_certfile=ssl_certfile.resolve() if ssl_certfile else None,
            ssl_keyfile=keyfile,
            insecure=insecure,
        )
        environ = serve_environment(
            os.environ,
            store=store.resolve() if store else None,
            k=k,
            cookie_secret=cookie_secret,
            oauth_secret=oauth_secret,
            oauth_encryption_key=oauth_encryption_key,
            allow_user=users,
        )
    except ServeError as exc:
        fail(f"error: {exc}")
    reachable = _reachable(address, behind_proxy)
    tell(_setup_warnings(credentials, insecure=insecure and reachable, lang=lang))
    login = _login_text(credentials, oauth_provider, users, lang)
    tell(start_lines(app_path.stem, address, port, login, k, command, lang))
    serving.exec_server(command, environ)


def start_lines(
    app: str, address: str, port: int, login: str, k: int, command: list[str], lang: str = "nb"
) -> list[str]:
    """What ``bti serve`` says when it starts: what it serves, and the command it runs.

    Parameters
    ----------
    app : str
        The app's name in the address (``leader_app``).
    address, port : str, int
        Where the server listens.
    login : str
        How viewers log in, in ``lang`` (``uten innlogging``).
    k : int
        The small-cell threshold the app uses.
    command : list of str
        The ``panel serve`` command line, which never holds a secret.
    lang : str, default "nb"
        A language of the catalogue.

    Returns
    -------
    list of str
        Two sentences; :func:`~bti_workbench.cli._common.tell` wraps them at 100 columns.

    Examples
    --------
    >>> start_lines("leader_app", "127.0.0.1", 5006, "no login", 5, ["panel", "serve"], "en")
    ['serving /leader_app on 127.0.0.1:5006 (no login; k=5)', 'running panel serve']
    """
    import shlex

    where = {"app": app, "address": address, "port": port, "login": login, "k": k}
    return [
        label("cli.serve.serving", lang, **where),
        label("cli.serve.running", lang, command=shlex.join(command)),
    ]


def _check_files(app_path: Path, store: Path | None, ssl_certfile: Path | None, lang: str) -> None:
    """End the command when the app, the store or the certificate is missing (OAuth without
    its extra is refused by :func:`~bti_workbench.dashboard.serve.serve_command`)."""
    if not app_path.is_file():
        fail(label("cli.serve.no_app", lang, app=app_path), lang)
    if store is not None and not store.is_file():
        fail(label("err.storage.missing", lang, store=store), lang)
    if ssl_certfile is not None and not ssl_certfile.is_file():
        fail(label("cli.serve.no_certificate", lang, file=ssl_certfile), lang)


def _reachable(address: str, behind_proxy: bool) -> bool:
    """Whether others than this machine reach the server: beyond loopback or via a proxy."""
    from bti_workbench.dashboard.serve import is_loopback

    return behind_proxy or not is_loopback(address)


def _setup_warnings(credentials: CredentialsFile | None, *, insecure: bool, lang: str) -> list[str]:
    """Notes for stderr in ``lang``: Panel's login variables ignored, a readable credentials
    file, and ``--insecure`` on a reachable server."""
    from bti_workbench.dashboard.serve import PANEL_AUTH_VARIABLES

    lines = []
    ignored = [name for name in PANEL_AUTH_VARIABLES if name in os.environ]
    if ignored:
        lines.append(label("cli.serve.ignoring", lang, names=", ".join(ignored)))
    if credentials is not None and not credentials.private:
        path = credentials.path
        lines.append(label("cli.serve.readable", lang, file=path.name, path=path))
    if insecure:
        lines.append(label("cli.serve.insecure", lang))
    return lines


def _login_text(
    credentials: CredentialsFile | None, oauth_provider: str | None, users: list[str], lang: str
) -> str:
    """How viewers log in, e.g. ``basic auth, 2 users, 1 allowed user``, in ``lang``."""
    if credentials is not None:
        login = label("cli.serve.login.basic", lang, users=_count("users", credentials.users, lang))
    elif oauth_provider is not None:
        login = label("cli.serve.login.oauth", lang, provider=oauth_provider)
    else:
        login = label("cli.serve.login.none", lang)
    if users:
        login += f", {_count('allowed', len(users), lang)}"
    return login


def _count(noun: str, count: int, lang: str) -> str:
    """``count`` and the catalogue's noun ``cli.serve.<noun>.one`` or ``.many``."""
    from bti_workbench._util.numbers import format_number

    form = "one" if count == 1 else "many"
    return label(f"cli.serve.{noun}.{form}", lang, count=format_number(count, lang))

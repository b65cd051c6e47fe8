"""Who may see the dashboard: the basic-auth credentials file, private files, the allow list.

:func:`check_credentials` checks Panel's credentials file and :func:`check_private_file` that
a file holding secrets lies outside any repository; :func:`authorize_user` and
:func:`install_allow_list` refuse viewers not listed with ``bti serve --allow-user`` (Panel's
``--setup`` script, :mod:`bti_workbench.dashboard.panel_setup`, installs the allow list).
See ``docs/serving.md``.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from bti_workbench.errors import ServeError

__all__ = [
    "ALLOWED_USERS_VARIABLE",
    "REPOSITORY",
    "CredentialsFile",
    "authorize_user",
    "check_credentials",
    "check_private_file",
    "install_allow_list",
]

#: The repository holding the package (a checkout), where private files must not live.
REPOSITORY = Path(__file__).resolve().parents[2]
#: The environment variable through which ``bti serve`` passes ``--allow-user`` to the server.
ALLOWED_USERS_VARIABLE = "BTI_ALLOWED_USERS"


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
    bti_workbench.errors.ServeError: key file credentials.py lies inside the repository ...
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
    bti_workbench.errors.ServeError: credentials file users.json: entry 1 has an empty password
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


def authorize_user(user: str | None, allowed: Iterable[str]) -> bool:
    """Whether a logged-in ``user`` is one of ``allowed`` (compared without case).

    Parameters
    ----------
    user : str or None
        The logged-in user's name as Panel has it (``pn.state.user``); None when nobody is.
    allowed : iterable of str
        The names given with ``--allow-user``.

    Returns
    -------
    bool

    See Also
    --------
    install_allow_list : Installs this check as Panel's authorisation callback.

    Examples
    --------
    >>> authorize_user("Kari@Example.no", ["kari@example.no"]), authorize_user(None, ["x"])
    (True, False)
    """
    if not user:
        return False
    return user.casefold() in {name.casefold() for name in allowed}


def install_allow_list(environ: Mapping[str, str]) -> None:
    """Make Panel refuse (403) every user not in ``$BTI_ALLOWED_USERS``.

    Run by Panel's ``--setup`` script in the server's process; does nothing when the
    variable lists no user.

    Parameters
    ----------
    environ : mapping of str to str
        The server's environment, usually ``os.environ``.

    See Also
    --------
    authorize_user : The check the installed callback makes.
    bti_workbench.dashboard.serve.serve_environment : Sets the variable.
    """
    allowed = [name for name in environ.get(ALLOWED_USERS_VARIABLE, "").split(",") if name]
    if not allowed:
        return
    import panel as pn
    from panel.io.state import state

    def authorize(_user_info: dict | None) -> bool:
        return authorize_user(state.user, allowed)

    pn.config.authorize_callback = authorize

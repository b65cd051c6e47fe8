"""The pages Panel serves around a login for ``bti serve``: login, logout and refusal.

Panel's own pages fetch their logo and favicon from cdn.holoviz.org, and its error page its
font from Google, so on a server without the internet they log errors and show a broken
image; and they are in English. These are the workbench's own: self-contained (inline style,
no image, no font, no favicon: no request leaves the server), in bokmål and English from the
label catalogue, with labelled fields. They are Jinja templates Panel renders with its own
variables (``login_endpoint``, ``errormessage``, ``LOGIN_ENDPOINT``, ``error_type``);
:func:`write_auth_pages` writes them from :func:`auth_page` (``make auth-pages``), and a test
checks the files match the catalogue. :func:`bti_workbench.dashboard.serve.serve_command`
passes them with ``--basic-login-template``, ``--logout-template`` and ``--auth-template``.
"""

from __future__ import annotations

import html
from pathlib import Path

__all__ = ["AUTH_PAGES", "auth_page", "write_auth_pages"]

#: The pages, by name: the login form (basic auth), the page after ``/logout``, and the
#: refusal (a user not on the allow list, a failed OAuth login).
AUTH_PAGES = {
    name: Path(__file__).resolve().with_name("templates") / f"{name}.html"
    for name in ("login", "logout", "error")
}

_PAGE = """\
<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
* {{ box-sizing: border-box; }}
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center;
  justify-content: center; background: #f2f4f7; color: #1a1a1a; font-size: 1rem;
  line-height: 1.5; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Liberation Sans", sans-serif; }}
main {{ width: min(27rem, calc(100% - 2rem)); margin: 1rem; padding: 2rem; background: #fff;
  border: 1px solid #b8c2cc; border-radius: 6px; }}
h1 {{ margin: 0; font-size: 1.5rem; line-height: 1.3; color: #1f4e79; }}
p {{ margin: 0 0 0.25rem; }}
.app {{ margin: 0.25rem 0 1.25rem; font-weight: 600; }}
.en {{ color: #404040; }}
label {{ display: block; margin: 1rem 0 0.35rem; font-weight: 600; }}
input {{ width: 100%; padding: 0.6rem 0.7rem; font: inherit; color: #1a1a1a;
  background: #fff; border: 1px solid #5f6b7a; border-radius: 4px; }}
button, .button {{ display: block; width: 100%; margin-top: 1.5rem; padding: 0.7rem;
  font: inherit; font-weight: 600; text-align: center; text-decoration: none; color: #fff;
  background: #1f4e79; border: 0; border-radius: 4px; cursor: pointer; }}
button:hover, .button:hover {{ background: #163a5c; }}
input:focus, button:focus, .button:focus {{ outline: 3px solid #e8a200;
  outline-offset: 2px; }}
.alert {{ margin: 1rem 0 0; padding: 0.6rem 0.8rem; background: #fdecee;
  border-left: 4px solid #b00020; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _text(text: str) -> str:
    """``text`` as HTML that Panel's Jinja renders as it is."""
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _label(key: str, lang: str) -> str:
    from bti_workbench.reference.labels import label  # pandas: only when pages are written

    return label(key, lang)


def _both(key: str) -> str:
    """A short text in bokmål and English, e.g. a label: ``Passord / Password``."""
    return f'{_text(_label(key, "nb"))} / <span lang="en">{_text(_label(key, "en"))}</span>'


def _sentences(key: str) -> str:
    """A sentence as two paragraphs, bokmål then English."""
    nb, en = _text(_label(key, "nb")), _text(_label(key, "en"))
    return f'<p>{nb}</p>\n<p lang="en" class="en">{en}</p>'


def _heading(key: str) -> str:
    return f'<h1>{_both(key)}</h1>\n<p class="app">{_both("app.title")}</p>'


def _title(key: str) -> str:
    texts = [_label(part, lang) for part in (key, "app.title") for lang in ("nb", "en")]
    return _text("{} / {} – {} / {}".format(*texts))


def _login_body() -> str:
    return "\n".join(
        [
            _heading("login.title"),
            _sentences("login.intro"),
            # Panel adds ?error=… after a wrong password; its own text is English.
            "{% if errormessage %}",
            f'<div class="alert" role="alert">\n{_sentences("login.failed")}\n</div>',
            "{% endif %}",
            '<form action=".{{ login_endpoint }}" method="post">',
            f'<label for="username">{_both("login.user")}</label>',
            '<input id="username" name="username" type="text" autocomplete="username" '
            'autocapitalize="off" spellcheck="false" required autofocus>',
            f'<label for="password">{_both("login.password")}</label>',
            '<input id="password" name="password" type="password" '
            'autocomplete="current-password" required>',
            f'<button type="submit">{_both("login.title")}</button>',
            "</form>",
        ]
    )


def _logout_body() -> str:
    return "\n".join(
        [
            _heading("login.logged_out_title"),
            _sentences("login.logged_out"),
            f'<a class="button" href=".{{{{ LOGIN_ENDPOINT }}}}">{_both("login.again")}</a>',
        ]
    )


def _error_body() -> str:
    # Panel renders this page for a user the allow list refuses ("Authorization Error") and
    # when a login at the OAuth provider fails ("Authentication Error").
    return "\n".join(
        [
            '{% if error_type == "Authorization Error" %}',
            _heading("login.denied_title"),
            _sentences("login.denied"),
            "{% else %}",
            _heading("login.error_title"),
            _sentences("login.error"),
            "{% endif %}",
            f'<a class="button" href="./logout">{_both("login.logout")}</a>',
        ]
    )


def auth_page(name: str) -> str:
    """The Jinja template Panel renders for one of :data:`AUTH_PAGES`.

    Self-contained: its style is inline and it loads nothing (no logo, no font, no favicon),
    so no request leaves the server. Every text is from the label catalogue, in bokmål and
    English (marked ``lang="en"``); the form's fields have labels.

    Parameters
    ----------
    name : {"login", "logout", "error"}

    Returns
    -------
    str

    Examples
    --------
    >>> page = auth_page("login")
    >>> '<label for="password">Passord / <span lang="en">Password</span></label>' in page
    True
    >>> "http" in page
    False
    """
    pages = {
        "login": ("login.title", _login_body),
        "logout": ("login.logged_out_title", _logout_body),
        "error": ("login.denied_title", _error_body),
    }
    key, body = pages[name]
    title = _title(key)
    if name == "error":
        title = "{% if error_type == 'Authorization Error' %}" + title
        title += "{% else %}" + _title("login.error_title") + "{% endif %}"
    return _PAGE.format(title=title, body=body())


def write_auth_pages() -> list[Path]:
    """Write :data:`AUTH_PAGES` from :func:`auth_page` (``make auth-pages``).

    Returns
    -------
    list of Path
        The files written.
    """
    for name, path in AUTH_PAGES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(auth_page(name), encoding="utf-8")
    return list(AUTH_PAGES.values())

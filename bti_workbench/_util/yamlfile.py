"""Reading YAML a user wrote: the one safe loader for scenarios, options, profiles and values.

Every YAML that comes from a user (a scenario file, an organisation option, a mapping profile,
``bti calibrate --base``, ``bti simulate --set`` and ``bti sweep --grid`` values) is read with
:func:`load_yaml`. It

- decodes the bytes as the CSV readers do (:func:`~bti_workbench._util.text.decode_text`):
  UTF-8 with or without a byte-order mark, UTF-16 **with** a byte-order mark (what Notepad
  saves as "Unicode"), else Windows-1252; UTF-16 or UTF-32 without a byte-order mark is
  refused (its NUL characters give it away), with the advice to save the file as UTF-8;
- reads plain YAML with :class:`yaml.SafeLoader`, so nothing in the file is executed; an
  explicit tag other than the plain ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!seq``, ``!!map``) is refused before anything is built, whether it would
  run code (``!!python/object/apply:…``) or only make an unexpected type (``!!set``,
  ``!!binary``);
- refuses nesting deeper than :data:`MAX_DEPTH` levels (checked while the document is
  composed, so ten thousand ``[`` end in a message, not in :class:`RecursionError`), aliases
  that refer to themselves, and documents that aliases expand to more than
  :data:`MAX_NODES` nodes ("billion laughs");
- raises :class:`~bti_workbench.errors.YamlFileError`, whose message starts with the file
  name and gives the line and column, and never repeats the file's text (quoted parts of a
  parser's message longer than two characters are left out).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from bti_workbench._util.text import decode_text
from bti_workbench.errors import TextDecodeError, YamlFileError

__all__ = ["MAX_DEPTH", "MAX_NODES", "load_yaml"]

#: The deepest nesting read; a scenario needs fewer than ten levels.
MAX_DEPTH = 32
#: The most nodes a document may hold once its aliases are expanded.
MAX_NODES = 100_000

#: Explicit tags that only say what the plain value already is.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
#: Quoted text in a parser's message that is kept: a character or two, or a token's name.
_KEPT_QUOTE = re.compile(r"'(.{0,2}|<[a-z ]+>)'")
_ANY_QUOTE = re.compile(r"'[^']*'")


class _Refused(yaml.MarkedYAMLError):
    """A document the loader will not build; ``problem`` says why."""


class _Loader(yaml.SafeLoader):
    """:class:`yaml.SafeLoader` that refuses deep nesting, unusual tags and alias bombs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark
            )
        tag = getattr(event, "tag", None)
        if (
            isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent)
            and tag not in (None, "!")
            and tag not in _PLAIN_TAGS
        ):
            raise _Refused(
                problem="a YAML tag that is not read here; write plain values (no !! tags)",
                problem_mark=event.start_mark,
            )
        self.depth += not isinstance(event, AliasEvent)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= not isinstance(event, AliasEvent)

    def compose_document(self) -> Node:
        node = super().compose_document()
        _check_expansion(node)
        return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node) -> None:
    """Refuse an alias that holds itself, and more than :data:`MAX_NODES` nodes once
    aliases are expanded (walked without recursion, each node once)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise _Refused(
                    problem=f"aliases expand it to more than {MAX_NODES:,} values".replace(
                        ",", " "
                    ),
                    problem_mark=node.start_mark,
                )
        elif key in open_nodes:
            raise _Refused(problem="an alias that refers to itself", problem_mark=node.start_mark)
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def _quiet(problem: str | None) -> str:
    """A parser's message without the file's text: longer quoted parts become ``'…'``."""
    text = str(problem or "not valid YAML")
    return _ANY_QUOTE.sub(
        lambda m: m.group(0) if _KEPT_QUOTE.fullmatch(m.group(0)) else "'…'", text
    )


def _decoded(raw: bytes, name: str) -> str:
    """The text of a file's bytes (see the module's rules), or an error naming the file."""
    try:
        text = decode_text(raw)
    except TextDecodeError as exc:
        raise YamlFileError(
            f"{name}: line {exc.line}: not UTF-8, UTF-16 with a byte-order mark or "
            "Windows-1252 text; save it as UTF-8"
        ) from None
    except UnicodeDecodeError:
        raise YamlFileError(
            f"{name}: its byte-order mark promises a text encoding the file does not hold; "
            "save it as UTF-8"
        ) from None
    return text


def _read(data: Path | str | bytes, source: str | None) -> tuple[str, str]:
    """The text to parse and the name for messages."""
    if isinstance(data, Path):
        name = source or data.name
        try:
            raw = data.read_bytes()
        except OSError as exc:
            raise YamlFileError(f"{name}: cannot read the file ({exc.strerror})") from None
        return _decoded(raw, name), name
    name = source or "YAML"
    if isinstance(data, bytes):
        return _decoded(data, name), name
    return str(data), name


def load_yaml(data: Path | str | bytes, *, source: str | None = None) -> object:
    """Read YAML a user wrote, safely: the one loader for user input (see the module).

    Parameters
    ----------
    data : pathlib.Path, str or bytes
        A file (a :class:`~pathlib.Path`), the file's bytes, or YAML text. A ``str`` is
        always YAML text, never a path.
    source : str, optional
        The name in messages: the file's name by default (``"YAML"`` for text), or for a
        value from the command line the option, e.g. ``"--set resources.max_logs"``.

    Returns
    -------
    object
        What the YAML holds: usually a dict; a list, a plain value, or None for an empty
        document. Aliases share their objects, as with :func:`yaml.safe_load`.

    Raises
    ------
    bti_workbench.errors.YamlFileError
        When the file cannot be read or decoded, is not YAML, holds more than one document,
        uses a tag beyond the plain ones, nests deeper than :data:`MAX_DEPTH`, or expands
        to more than :data:`MAX_NODES` nodes. The message starts with ``source`` and gives
        the line and column, never the file's text.

    Examples
    --------
    >>> load_yaml("resources: {max_logs: 1}", source="t.yaml")
    {'resources': {'max_logs': 1}}
    >>> load_yaml("a: 1".encode("utf-16"), source="t.yaml")  # with a byte-order mark
    {'a': 1}
    >>> load_yaml("[" * 10_000, source="deep.yaml")
    Traceback (most recent call last):
    ...
    bti_workbench.errors.YamlFileError: deep.yaml: line 1, column 33: nested more than 32 levels deep
    >>> load_yaml("a: !!python/object/apply:os.system ['ls']", source="t.yaml")
    Traceback (most recent call last):
    ...
    bti_workbench.errors.YamlFileError: t.yaml: line 1, column 4: a YAML tag that is not read here; write plain values (no !! tags)
    """  # noqa: E501
    text, name = _read(data, source)
    if "\x00" in text:
        raise YamlFileError(
            f"{name}: holds NUL characters (saved as UTF-16 without a byte-order mark, or as "
            "UTF-32?); save it as UTF-8"
        )
    loader = None
    try:
        loader = _Loader(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        message = _quiet(exc.problem)
        if not isinstance(exc, _Refused):
            message = f"not valid YAML ({message})"
        raise YamlFileError(f"{name}: {where}{message}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlFileError(
            f"{name}: line {line}: a control character that YAML does not allow"
        ) from None
    except yaml.YAMLError:
        raise YamlFileError(f"{name}: not valid YAML") from None
    except (ValueError, TypeError, RecursionError):
        # A plain tag over a value it cannot hold (``!!int abc``), or a last-resort guard.
        raise YamlFileError(f"{name}: not valid YAML (a value does not fit its tag)") from None
    finally:
        if loader is not None:
            loader.dispose()

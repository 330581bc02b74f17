"""Keeping secrets out of everything composeguard prints or writes about a project.

Two layers:

- Texts built here never quote a value that could be a secret: parser and schema messages are
  rewritten (see :mod:`composeguard.lint.parse.yamlio` and :mod:`composeguard.lint.model.schema`), rule
  messages name keys, not values.
- As a last guard, :func:`Redactor.redact` runs over every finding message, fix description
  and error text before any report, baseline or fix listing sees it. It masks the values the
  project itself gives to password-like keys (compose ``environment``, env files), the
  password part of URL credentials (``postgres://app:pw@db``), and ``-p<password>`` /
  ``--password=<x>`` arguments, wherever they appear.

What counts as password-like is :func:`is_secret_key`; a ``*_FILE`` key names a file, not a
secret, and a value that is only an interpolation (``${DB_PASSWORD}``) is not a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from composeguard.lint.parse.envfile import EnvFile
    from composeguard.lint.parse.nodes import Node

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter values are left alone: masking ``pw`` would garble every word holding it."""

_SECRET_WORDS = ("PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "APIKEY", "API_KEY",
                 "PRIVATE_KEY", "ACCESS_KEY", "APP_KEY", "MASTER_KEY", "AUTH", "CREDENTIAL",
                 "DSN", "DATABASE_URL", "_URL", "_URI")
_URL_KEYS = ("_URL", "_URI", "DSN")
_NOT_SECRET_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_HOST", "_PORT", "_USER", "_USERNAME")

# The message texts are ours: these patterns scrub our own output, they read no input format.
_URL_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"`]*:)"
                              r"(?P<secret>[^\s@/'\"`]+)(?=@)")
_PASSWORD_ARGUMENT = re.compile(r"(?P<head>(?<![\w-])(?:-p|--password[= ]|--pass[= ]))"
                                r"(?P<secret>[^\s'\"`;|&)]+)")
_PORTS = re.compile(r"[\d.:-]+(?:/\w+)?")
_KEY_VALUE = re.compile(r"(?P<head>\b(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?:=|: ))"
                        r"(?P<secret>[^\s'\"`,;)]+)")


def is_secret_key(name: str) -> bool:
    """``MYSQL_ROOT_PASSWORD``, ``DB_PASS``, ``APP_KEY``, ``DATABASE_URL``... but not
    ``MYSQL_PASSWORD_FILE`` or ``DB_HOST``."""
    upper = name.upper()
    if upper.endswith(_NOT_SECRET_SUFFIXES):
        return False
    return any(word in upper for word in _SECRET_WORDS)


def is_secret_value(value: str) -> bool:
    """A value worth masking: long enough, and not only an interpolation or a placeholder."""
    text = value.strip()
    if len(text) < MIN_SECRET_LENGTH:
        return False
    return not (text.startswith("${") and text.endswith("}") and text.count("${") == 1)


STOCK_DEFAULTS = frozenset({
    "password", "passwd", "pass", "secret", "root", "admin", "guest", "test", "postgres",
    "mysql", "mariadb", "redis", "mongo", "rabbitmq", "default", "demo", "user", "toor",
    "1234", "12345", "123456", "12345678", "qwerty", "letmein", "none", "empty",
})
"""Passwords everyone knows: images' and frameworks' documented defaults, the word itself."""
PLACEHOLDER_PHRASES = ("changeme", "changethis", "replaceme", "placeholder", "yoursecret",
                       "yourpassword", "yourkey", "setme", "fillme", "todo", "fixme",
                       "insertyour", "enteryour", "notsecure", "insecure")
"""What a template's value says of itself: change me, replace me, yours goes here."""
_LEET = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "6": "g", "7": "t",
                       "@": "a", "$": "s", "!": "i"})


def is_known_default(value: str, names: Iterable[str] = ()) -> bool:
    """A password anyone can guess: empty or one repeated character (``xxxx``, ``1111``), a
    default everyone knows (``password``, ``secret``, ``guest``), a phrase asking to be
    replaced in any spelling (``!ChangeMe!``, ``changethis``, ``ch4n63m31fy0uc4n``), or one
    of ``names`` (the store's user, database or product name: ``ctfd``/``ctfd``)."""
    if _replace_me(value) or _letters(value) in STOCK_DEFAULTS:
        return True
    return value.strip().lower() in {n.strip().lower() for n in names if n.strip()}


def is_placeholder(value: str) -> bool:
    """A value that stands in for a credential rather than being one: a known default
    (:func:`is_known_default`), or a name for what it is (``rabbit_password``,
    ``your-secret-key``)."""
    return is_known_default(value) or _names_itself(value)


def asks_to_be_replaced(value: str) -> bool:
    """A value written to be replaced, not to be used: empty or one repeated character, a
    phrase asking for it in any spelling (``changeme``), or a name for what it is
    (``your_db_password``). A known default such as ``root`` is not one: written where
    production reads it, it is production's password, and the first one anybody tries."""
    return _replace_me(value) or _names_itself(value)


def _letters(value: str) -> str:
    return "".join(c for c in value.strip().lower().translate(_LEET) if c.isalnum())


def _replace_me(value: str) -> bool:
    letters = _letters(value)
    return len(set(letters)) <= 1 or any(phrase in letters for phrase in PLACEHOLDER_PHRASES)


def _names_itself(value: str) -> bool:
    from composeguard.lint.model.compose import word_runs

    words = word_runs(value.strip().lower())
    return len(words) > 1 and bool({"password", "secret", "passwd", "key", "token"}
                                   & set(words)) and not any(c.isdigit() for c in value)


def _distinctive(value: str) -> bool:
    """A value masked wherever it appears: one that mixes kinds of characters or is long.
    ``root``, ``secret`` or ``password`` as a password are defaults everyone knows; masking
    them as words would garble "the repository root" or "a Compose secret" (they are still
    masked where a key, ``-p`` or a URL shows them as a password)."""
    text = value.strip()
    kinds = sum((any(c.islower() for c in text), any(c.isupper() for c in text),
                 any(c.isdigit() for c in text), any(not c.isalnum() for c in text)))
    return kinds >= 2 or len(text) >= 12


def url_password(value: str) -> str | None:
    """The password of ``scheme://user:password@host``, if the value is such a URL."""
    if "://" not in value or "@" not in value:
        return None
    try:
        password = urlsplit(value.strip()).password
    except ValueError:
        return None
    return password or None


def url_parts(value: str) -> tuple[str, str, str, str] | None:
    """(user, password, host, database) of a connection URL with a password in its user
    info, or None."""
    try:
        parts = urlsplit(value.strip().removeprefix("jdbc:"))
        if not parts.password:
            return None
        return (parts.username or "", parts.password, parts.hostname or "",
                parts.path.strip("/"))
    except ValueError:
        return None


def store_url_password(value: str) -> str | None:
    """The scheme of a data-store connection URL that carries a password, in its user info
    (``postgres://app:pw@db/app``) or its query (``jdbc:postgresql://db/app?password=pw``);
    None for other values. SQLAlchemy's ``dialect+driver`` and ``jdbc:`` are read through."""
    from urllib.parse import parse_qs

    from composeguard.lint.facts.datastores import DATABASE_URL_SCHEMES

    text = value.strip()
    if text.lower().startswith("jdbc:"):
        text = text[5:]
    if "://" not in text:
        return None
    try:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        password = parts.password or next(
            (v[0] for k, v in query.items() if k.lower() in ("password", "pwd") and v[0]), None)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DATABASE_URL_SCHEMES:
        scheme = scheme.split("+", 1)[0]
    return scheme if password and scheme in DATABASE_URL_SCHEMES else None


class Redactor:
    """Masks the project's secrets, and anything shaped like one, in a text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s.strip() for s in secrets if s and is_secret_value(s) and _distinctive(s)}
        # by their first two characters, a longer secret first: one pass over a text finds
        # them all, however many the project holds
        self._by_start: dict[str, list[str]] = {}
        for value in sorted(values, key=len, reverse=True):
            if len(value) >= 2:
                self._by_start.setdefault(value[:2], []).append(value)

    def redact(self, text: str) -> str:
        if not text:
            return text
        if self._by_start:
            text = self._known(text)
        text = _URL_CREDENTIALS.sub(lambda m: m["head"] + MASK, text)
        text = _PASSWORD_ARGUMENT.sub(_mask_argument, text)
        return _KEY_VALUE.sub(_mask_key_value, text)


    def _known(self, text: str) -> str:
        """The project's own secrets masked: as words, and a long one (8 characters or more)
        inside a word too (``-uroot -ps3cret-value``)."""
        out: list[str] = []
        start = i = 0
        while i < len(text) - 1:
            for value in self._by_start.get(text[i:i + 2], ()):
                end = i + len(value)
                if text.startswith(value, i) and (len(value) >= 8 or (
                        not (i and _word(text[i - 1])) and not (end < len(text)
                                                                 and _word(text[end])))):
                    out += [text[start:i], MASK]
                    start = i = end
                    break
            else:
                i += 1
        return "".join(out) + text[start:] if out else text


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _mask_argument(match: re.Match[str]) -> str:
    secret = match["secret"]
    if secret == MASK or secret.startswith(("$", "<")) or _PORTS.fullmatch(secret):
        return match[0]  # ``-p 3306``'s neighbour, ``-p$MYSQL_PASSWORD``: nothing to hide
    return match["head"] + MASK


def _mask_key_value(match: re.Match[str]) -> str:
    secret = match["secret"]
    if not is_secret_key(match["key"]) or secret == MASK or secret.startswith(("$", "`")):
        return match[0]
    if match["key"].upper().endswith(_URL_KEYS) and url_password(secret) is None:
        return match[0]  # a URL without credentials names a host, not a secret
    return match["head"] + MASK


def secrets_in_text(text: str) -> Iterator[str]:
    """Secrets a free text gives away: URL passwords and ``-p<password>`` arguments."""
    for match in _URL_CREDENTIALS.finditer(text):
        yield match["secret"]
    for match in _PASSWORD_ARGUMENT.finditer(text):
        if _mask_argument(match) != match[0]:
            yield match["secret"]


def secrets_in_node(node: Node | None, key: str = "", depth: int = 0) -> Iterator[str]:
    """Every secret a compose file's node tree holds: values of password-like keys (mapping
    or ``KEY=value`` list form), and secrets inside any string (URLs, commands)."""
    if node is None or depth > 64:
        return
    if node.is_map:
        for name, child in node.items():
            yield from secrets_in_node(child, str(name), depth + 1)
    elif node.is_list:
        for item in node.value:
            yield from secrets_in_node(item, key, depth + 1)
    elif node.is_scalar and node.value is not None:
        text = str(node.value)
        if key:
            yield from _secret_of(key, text)
        name, equals, value = text.partition("=")
        if equals:
            yield from _secret_of(name.strip(), value)
        yield from secrets_in_text(text)


def secrets_in_env_file(env: EnvFile | None) -> Iterator[str]:
    for entry in env.entries if env is not None else ():
        if entry.raw is None:
            continue
        yield from _secret_of(entry.key, entry.raw)
        yield from secrets_in_text(entry.raw)


def _secret_of(key: str, value: str) -> Iterator[str]:
    """The secret a ``key: value`` setting holds: the value of a password-like key, only the
    password of a URL-valued one (``DATABASE_URL=sqlite:///db`` names a file, no secret)."""
    if not is_secret_key(key):
        return
    if key.upper().endswith(_URL_KEYS):
        password = url_password(value)
        if password:
            yield password
        return
    yield value

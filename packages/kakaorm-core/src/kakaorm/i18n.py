"""Languages of validation messages: Japanese (the default, as in kakaorm 0.4) and English.

The built-in rules (:mod:`kakaorm.validators`) write their message in the current
locale when they fail, so ``ValidationError.errors`` and ``.detail`` are already in
that language::

    import kakaorm.i18n

    kakaorm.i18n.set_locale("en")            # for the whole process
    with kakaorm.i18n.use_locale("ja"):      # for this task / block only
        ...

:func:`translate_detail` rewrites an existing ``detail`` list in another locale.
Messages of your own validators (rule ``"custom"``, or ``regex(..., message=...)``)
are your text and stay as written.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "SUPPORTED_LOCALES",
    "get_locale",
    "message",
    "set_locale",
    "translate_detail",
    "use_locale",
]


def _length(issue: Mapping[str, Any]) -> int:
    return len(issue["received"])


def _choices(issue: Mapping[str, Any]) -> str:
    return ", ".join(repr(choice) for choice in issue["choices"])


_Render = Callable[[Mapping[str, Any]], str]

_CATALOG: dict[str, dict[str, _Render]] = {
    "en": {
        "min_length": lambda i: f"Too short: at least {i['expected_min']} characters are required (got {_length(i)}).",
        "max_length": lambda i: f"Too long: at most {i['expected_max']} characters are allowed (got {_length(i)}).",
        "min_value": lambda i: f"Too small: the value must be {i['expected_min']} or more (got {i['received']}).",
        "max_value": lambda i: f"Too large: the value must be {i['expected_max']} or less (got {i['received']}).",
        "regex": lambda i: f'Wrong format: the value must match the pattern "{i["pattern"]}".',
        "one_of": lambda i: f"Not allowed: the value must be one of {_choices(i)} (got {i['received']!r}).",
    },
    "ja": {
        "min_length": lambda i: f"短すぎます。{i['expected_min']} 文字以上にしてください（入力は {_length(i)} 文字）。",
        "max_length": lambda i: f"長すぎます。{i['expected_max']} 文字以内にしてください（入力は {_length(i)} 文字）。",
        "min_value": lambda i: f"小さすぎます。{i['expected_min']} 以上にしてください（入力値: {i['received']}）。",
        "max_value": lambda i: f"大きすぎます。{i['expected_max']} 以下にしてください（入力値: {i['received']}）。",
        "regex": lambda i: f"形式が正しくありません。パターン「{i['pattern']}」に合う値にしてください。",
        "one_of": lambda i: (
            f"使用できない値です。{_choices(i)} のいずれかにしてください（入力値: {i['received']!r}）。"
        ),
    },
}

#: the locales KakaORM has messages for
SUPPORTED_LOCALES: frozenset[str] = frozenset(_CATALOG)

_DEFAULT = "ja"
_process_locale = _DEFAULT
_task_locale: contextvars.ContextVar[str | None] = contextvars.ContextVar("kakaorm_locale", default=None)


def _checked(locale: str) -> str:
    if locale not in _CATALOG:
        raise ValueError(
            f"Unsupported locale {locale!r}: validation messages exist for "
            + " and ".join(repr(name) for name in sorted(SUPPORTED_LOCALES))
        )
    return locale


def get_locale() -> str:
    """The locale validation messages are written in now (the block's, else the process's)."""
    return _task_locale.get() or _process_locale


def set_locale(locale: str) -> None:
    """Write validation messages in ``locale`` (``"ja"`` or ``"en"``) for the whole process.

    Raises:
        ValueError: the locale is not one of :data:`SUPPORTED_LOCALES`.
    """
    global _process_locale
    _process_locale = _checked(locale)


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[str]:
    """Write validation messages in ``locale`` inside the ``with`` block, in this task only
    (e.g. per request, from its ``Accept-Language``); other tasks keep theirs.

    Raises:
        ValueError: the locale is not one of :data:`SUPPORTED_LOCALES`.
    """
    token = _task_locale.set(_checked(locale))
    try:
        yield locale
    finally:
        _task_locale.reset(token)


def message(issue: Mapping[str, Any], locale: str | None = None) -> str:
    """The message of one detail ``issue`` in ``locale`` (default: the current one).

    A rule KakaORM has no text for, a custom validator's issue or a rule given its own
    message keeps the issue's ``message``.

    Raises:
        ValueError: the locale is not one of :data:`SUPPORTED_LOCALES`.
    """
    catalog = _CATALOG[_checked(locale) if locale is not None else get_locale()]
    render = catalog.get(str(issue.get("rule")))
    if render is None or issue.get("custom_message"):
        return str(issue.get("message", ""))
    try:
        return render(issue)
    except (KeyError, TypeError):  # an issue built by hand without the rule's keys
        return str(issue.get("message", ""))


def translate_detail(detail: Sequence[Mapping[str, Any]], locale: str = "ja") -> list[dict[str, Any]]:
    """A copy of ``ValidationError.detail`` with every built-in rule's message in ``locale``.

    The other keys are kept; the given list is not changed.

    Raises:
        ValueError: the locale is not one of :data:`SUPPORTED_LOCALES`.
    """
    _checked(locale)
    return [{**issue, "message": message(issue, locale)} for issue in detail]

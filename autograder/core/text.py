"""A message a reader sees: its English text, and what it takes to say it in the reader's language.

A ``Text`` *is* its English text (a ``str``), so every English surface, and everything that only
compares or stores messages, reads it unchanged; it also keeps its English template and fields, so
a surface can ``render`` it in another language from the ``grader`` gettext catalog. A grade keeps
Texts and no language; the language is chosen only where a report is rendered.

Fields keep what is never translated (code, identifiers, shapes, numbers); a field may itself be a
Text (rendered in the same language) or a ``joined`` list of them. Templates are written with
``T_`` (``Tn_`` where English varies with a count), which ``make translations`` extracts.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from autograder.core.language import SOURCE, translation

DOMAIN = "grader"
LOCALEDIR = Path(__file__).resolve().parents[1] / "locale"
"""Where the grader's catalogs are kept: ``autograder/locale/<lang>/LC_MESSAGES/grader.mo``."""


class Text(str):
    """A message: the ``str`` is its English; ``template``, ``fields`` (and ``plural``, ``number``) say it again
    in any language (``render``)."""

    template: str
    fields: tuple[tuple[str, Any], ...]
    plural: str
    number: int | None  # the count a plural depends on (``str.count`` is taken)
    separator: str | None  # a ``joined`` list: the fields' values, in order, between separators

    def __new__(cls, template: str, fields: dict[str, Any] | None = None, plural: str = "",
                count: int | None = None, separator: str | None = None) -> Text:
        pairs = tuple((fields or {}).items())
        english = _say(template, pairs, plural, count, separator, gettext.NullTranslations())
        made = super().__new__(cls, english)
        made.template, made.fields, made.plural, made.number, made.separator = (
            template, pairs, plural, count, separator)
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # a Grade crosses to Dask workers and back
        return (Text, (self.template, dict(self.fields), self.plural, self.number, self.separator))

    def render(self, translations: gettext.NullTranslations) -> str:
        """This message in the catalog's language (English for ``NullTranslations``)."""
        return _say(self.template, self.fields, self.plural, self.number, self.separator, translations)


def _value(value: Any, translations: gettext.NullTranslations) -> Any:
    return value.render(translations) if isinstance(value, Text) else value


def _say(template: str, fields: tuple[tuple[str, Any], ...], plural: str, count: int | None,
         separator: str | None, translations: gettext.NullTranslations) -> str:
    if separator is not None:
        return translations.gettext(separator).join(str(_value(value, translations)) for _, value in fields)
    if plural:
        assert count is not None  # Tn_ always passes one
        pattern = translations.ngettext(template, plural, count)
    else:
        pattern = translations.gettext(template) if template else template
    if not fields:
        return pattern
    return pattern.format(**{name: _value(value, translations) for name, value in fields})


def T_(template: str, **fields: Any) -> Text:
    """A message from its English ``str.format`` template: ``T_("{name} is wrong", name="dx")``."""
    return Text(template, fields)


def Tn_(singular: str, plural: str, count: int, **fields: Any) -> Text:
    """A message whose English depends on ``count`` (``ngettext``); ``count`` is also a field."""
    return Text(singular, {"count": count, **fields}, plural, count)


def joined(separator: str, items: Iterable[str]) -> Text:
    """``separator.join(items)`` that renders each item (and the separator) in the reader's language."""
    return Text("", {str(number): item for number, item in enumerate(items)}, separator=separator)


Say = Callable[[str], str]
"""A message -> its text in one language. A plain ``str`` is looked up as it is, unformatted (a check's
title, a known mistake's explanation, both marked where they are written)."""


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """The grader's catalog in ``language`` (read once per process)."""
    return translation(DOMAIN, LOCALEDIR, language)


def speaker(language: str = SOURCE) -> Say:
    """How messages read in ``language``."""
    if language == SOURCE:
        return str  # a Text is its English; a plain str is English already
    translations = catalog(language)

    def say(message: str) -> str:
        if isinstance(message, Text):
            return message.render(translations)
        return translations.gettext(message) if message else message

    return say


ENGLISH: Say = str

"""Which language a reader gets, and the text of one message catalog in that language.

English is the source language: every message is written in English in the code, marked for
extraction, and looked up in a gettext catalog (``<localedir>/<lang>/LC_MESSAGES/<domain>.mo``) for
any other language. A course adds a language by adding one catalog per domain (``make translations``,
README "Languages").

The standard library only: the grader uses this module, and the release gives it to students as
``language.py`` beside their public tests, so both sides choose a language by the same rules.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

SOURCE = "en"
"""The language the messages are written in; it needs no catalog."""

LANGUAGES = ("en", "vi")
"""Every language the kit speaks, the source first. Each other one has a catalog for every domain."""

NAMES = {"en": "English", "vi": "Tiếng Việt"}

VARIABLE = "BACKPROP_LANG"
"""The environment variable that chooses the language where no ``--lang`` or course setting does."""

# The locale's own variables, in the order gettext reads them.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class UnknownLanguageError(ValueError):
    """A language was asked for by name, and the kit does not speak it."""

    def __init__(self, asked: str, where: str) -> None:
        known = ", ".join(LANGUAGES)
        super().__init__(f"{where} asks for language {asked!r}; the kit speaks {known}")
        self.asked = asked


def checked(code: str, where: str = "--lang") -> str:
    """Return ``code`` lower-cased if the kit speaks it; raise :class:`UnknownLanguageError` otherwise."""
    normal = code.strip().lower().replace("_", "-")
    if normal not in LANGUAGES:
        raise UnknownLanguageError(code, where)
    return normal


def _from_locale(value: str) -> str | None:
    """``vi_VN.UTF-8`` -> ``vi``; ``LANGUAGE`` may list several (``vi:en``): the first the kit speaks."""
    for entry in value.split(":"):
        code = entry.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return None


def chosen(explicit: str | None = None, environ: Mapping[str, str] | None = None, fallback: str | None = None) -> str:
    """The language a reader gets: ``explicit`` (a flag or a course setting), else ``BACKPROP_LANG``,
    else ``fallback``, else the locale, else English.

    ``fallback`` is the language of the release the reader holds (the Vietnamese release's public tests
    pass ``"vi"``): a course that chose a language for its students must not lose it to a computer
    whose locale is English, while ``BACKPROP_LANG`` still lets a student choose.

    An explicit code or ``BACKPROP_LANG`` the kit does not speak is an error, said in one line, so a
    typo is never silently read as English. A locale the kit does not speak means English.
    """
    environ = os.environ if environ is None else environ
    if explicit:
        return checked(explicit)
    if environ.get(VARIABLE):
        return checked(environ[VARIABLE], VARIABLE)
    if fallback:
        return checked(fallback, "the release")
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            # gettext's rule: the first of these that is set decides, whatever it names.
            return _from_locale(value) or SOURCE
    return SOURCE


def translation(domain: str, localedir: Path, language: str) -> gettext.NullTranslations:
    """The catalog of ``domain`` in ``language``: English text is returned as it is.

    A missing catalog for a language the kit speaks is a broken installation, and raises
    ``FileNotFoundError`` rather than showing English to a reader who asked for another language.
    """
    language = checked(language)
    if language == SOURCE:
        return gettext.NullTranslations()
    return gettext.translation(domain, localedir=str(localedir), languages=[language])


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (it is translated where it is shown)."""
    return message


RELEASE_LANGUAGE_FILE = "LANGUAGE"
"""In a student release's ``locale`` folder: the language the course released it in (absent in English)."""


def for_release(domain: str, folder: Path, environ: Mapping[str, str] | None = None) -> gettext.NullTranslations:
    """The catalog of ``domain`` for the student release in ``folder`` (its catalogs in ``folder/locale``).

    The language is chosen as :func:`chosen` does, with the release's own language as the fallback:
    ``BACKPROP_LANG`` first, then the language the course released in, then the locale, then English.
    """
    localedir = Path(folder) / "locale"
    marker = localedir / RELEASE_LANGUAGE_FILE
    fallback = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    return translation(domain, localedir, chosen(None, environ, fallback))

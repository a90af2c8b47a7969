"""The kit's message catalogs: where each domain's English text is found, and how its catalogs are kept.

A *domain* is one gettext catalog per language: ``grader`` (every text the grader shows a student),
and the domains of the release. For each domain this module extracts the English messages from its
sources with Babel, merges them into ``<localedir>/<lang>/LC_MESSAGES/<domain>.po`` (translations
kept, changed messages marked fuzzy, removed ones made obsolete) and compiles the ``.mo`` the kit
reads at run time with the standard library's ``gettext``. ``python -m autograder translations``
(``make translations``) does all three; ``--check`` only says what is out of date, as the tests do.

Babel is a staff tool: nothing graded or released imports it; only the committed ``.mo`` files are read.
"""

from __future__ import annotations

import io
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder import KIT_ROOT
from autograder.core.language import LANGUAGES, SOURCE
from autograder.course import localize, notebook_text

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

PROJECT = "backprop-kit"
HEADER = ("# The backprop kit's messages, translated. `make translations` writes this file from the sources;\n"
          "# a translator fills in the msgstr lines, keeping every {field} of the msgid (README, Languages).")
COMMENT_TAG = "Translators:"  # a comment starting with this, right above a message, goes into the catalog

# An extraction method in Babel's sense: (fileobj, keywords, comment_tags, options) -> (lineno, funcname,
# message, comments) tuples. "python" is Babel's own.
Method = str | Callable[..., Iterable[tuple[int, str | tuple[str, ...], list[str], str | None]]]


@dataclass(frozen=True)
class Domain:
    """One catalog per language: its English messages come from ``sources`` (globs under the checkout)."""

    name: str
    localedir: Path
    sources: tuple[tuple[str, Method], ...]
    """``(glob relative to the checkout, extraction method)`` pairs."""
    keywords: dict[str, Any] = field(default_factory=dict)
    """Extra gettext-style function names (Babel's keyword spec) besides Babel's defaults."""

    def po(self, language: str) -> Path:
        return self.localedir / language / "LC_MESSAGES" / f"{self.name}.po"

    def mo(self, language: str) -> Path:
        return self.po(language).with_suffix(".mo")

    def files(self) -> Iterator[tuple[Path, Method]]:
        for pattern, method in self.sources:
            for path in sorted(KIT_ROOT.glob(pattern)):
                if "__pycache__" not in path.parts:
                    yield path, method


def python_without(names: set[str]) -> Method:
    """Babel's Python extraction, blind to ``names``: a keyword of one kind of file (``@mistake(...)`` in
    the catalogue) may be a variable elsewhere (``mistake["id"]``), which Babel would read as a call."""

    def method(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Any:
        from babel.messages.extract import extract_python

        seen = dict.fromkeys(name for name in keywords if name not in names)  # only the names are read here
        return extract_python(fileobj, seen, comment_tags, options)

    return method


GRADER = Domain(
    "grader",
    KIT_ROOT / "autograder" / "locale",
    (("autograder/**/*.py", python_without({"mistake"})), ("solutions/backprop/mistakes.py", "python")),
    # ``core.text``'s templates; a check's title (``core.spec``); a known mistake's explanation (the catalogue).
    {"T_": None, "Tn_": (1, 2), "Check": (2,), "mistake": (2,)},
)

ASSIGNMENT = Domain(
    "assignment",
    KIT_ROOT / "solutions" / "backprop" / "locale",
    (
        # Every text of the student release: the public tests' messages, the notebooks' helper, the hints
        # and stubs of the released modules, and the student README, block by block.
        ("solutions/backprop/public_tests/*.py", "python"),
        ("solutions/backprop/nbcheck.py", "python"),
        ("solutions/backprop/layers.py", localize.extract_hints),
        ("solutions/backprop/rnn_layers.py", localize.extract_hints),
        ("autograder/course/localize.py", localize.extract_stubs),
        ("solutions/backprop/public_tests/README.md", localize.extract_markdown),
    ),
)

NOTEBOOKS = Domain(
    "notebooks",
    KIT_ROOT / "solutions" / "backprop" / "locale",
    # The four notebooks' narrative and the sentences their code prints; never a cell nbgrader tracks.
    (("solutions/backprop/*.ipynb", notebook_text.extract_notebook),),
)

DOMAINS: tuple[Domain, ...] = (GRADER, ASSIGNMENT, NOTEBOOKS)
"""Every catalog of the kit. A new domain is one entry here."""

TRANSLATED = tuple(language for language in LANGUAGES if language != SOURCE)


def extract(domain: Domain) -> Catalog:
    """The domain's English messages, each with where it is written and its translators' comments."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.extract import extract as babel_extract

    keywords = {**DEFAULT_KEYWORDS, **domain.keywords}
    template = Catalog(project=PROJECT, fuzzy=False)
    for path, method in domain.files():
        with path.open("rb") as source:
            for lineno, message, comments, context in babel_extract(
                method, source, keywords=keywords, comment_tags=(COMMENT_TAG,), strip_comment_tags=True
            ):
                where = (path.relative_to(KIT_ROOT).as_posix(), lineno)
                template.add(message, locations=[where], auto_comments=comments, context=context)
    return template


def _read(path: Path, language: str) -> Catalog:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if not path.exists():
        return Catalog(locale=language, project=PROJECT, copyright_holder="the backprop kit's authors",
                       header_comment=HEADER, fuzzy=False)
    with path.open("rb") as po:
        return read_po(po, locale=language)


def merged(domain: Domain, language: str, template: Catalog | None = None) -> Catalog:
    """The domain's ``.po`` for ``language`` brought up to date with its sources (not written)."""
    catalog = _read(domain.po(language), language)
    catalog.update(template if template is not None else extract(domain), update_creation_date=False)
    catalog.fuzzy = False
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    # Each message names its file, not its line: moving code does not rewrite the catalogs.
    write_po(out, catalog, width=100, include_previous=True, sort_output=False, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)  # a fuzzy translation is a guess: English is shown instead
    return out.getvalue()


def fields(message: str) -> list[str]:
    """The ``str.format`` fields of ``message``, in order: ``"{name} of {shape!r}"`` -> ``['name', 'shape!r']``."""
    found = []
    for _, name, spec, conversion in string.Formatter().parse(message):
        if name is not None:
            found.append(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return found


def _forms(value: Any) -> list[str]:
    """A message's id or string as its forms: one, or (a plural) one per form."""
    return [str(form) for form in value] if isinstance(value, tuple | list) else [str(value or "")]


@dataclass
class Problem:
    """One reason a catalog is not ready to ship."""

    domain: str
    language: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.domain} ({self.language}): {self.what}: {self.message!r}"


def problems(domain: Domain, language: str, template: Catalog | None = None) -> list[Problem]:
    """Everything that keeps ``domain``'s ``language`` catalog from being complete and current.

    A message of the sources without a translation, a translation marked fuzzy (its English changed
    since it was translated), a translation whose ``{fields}`` differ from the English, a message of
    the catalog the sources no longer have, and a ``.mo`` that is not the ``.po`` compiled.
    """
    template = template if template is not None else extract(domain)
    current = _read(domain.po(language), language)
    found: list[Problem] = []

    def problem(message: str, what: str) -> None:
        found.append(Problem(domain.name, language, message, what))

    for message in template:
        if not message.id:
            continue
        translated = current.get(message.id, message.context)
        # A plural has several English forms and one translation per plural form of the language; each
        # translated form must have the fields of one of the English forms ("{count} more" or "one more").
        english = {tuple(sorted(fields(form))) for form in _forms(message.id)}
        if translated is None or not all(_forms(translated.string)):
            problem(str(message.id), "not translated")
        elif translated.fuzzy:
            problem(str(message.id), "translated before its English changed (fuzzy)")
        elif any(tuple(sorted(fields(form))) not in english for form in _forms(translated.string)):
            problem(str(message.id), f"fields differ: {[fields(form) for form in _forms(translated.string)]}")
    for message in current:
        if message.id and template.get(message.id, message.context) is None:
            problem(str(message.id), "in the catalog but no longer in the sources (stale)")
    mo = domain.mo(language)
    if not mo.exists() or mo.read_bytes() != mo_bytes(current):
        problem(str(mo.relative_to(KIT_ROOT)), "not the .po compiled: run make translations")
    return found


def update(domains: tuple[Domain, ...] = DOMAINS) -> list[Path]:
    """Merge every catalog with its sources and compile it; return the files that changed."""
    changed = []
    for domain in domains:
        template = extract(domain)
        for language in TRANSLATED:
            catalog = merged(domain, language, template)
            for path, data in ((domain.po(language), po_bytes(catalog)), (domain.mo(language), mo_bytes(catalog))):
                if not path.exists() or path.read_bytes() != data:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                    changed.append(path)
    return changed

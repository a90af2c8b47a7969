"""The message catalogs: complete and current for every domain and language, and a checker that notices when not."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

from autograder.core import language
from autograder.course import translations
from autograder.course.translations import DOMAINS, TRANSLATED, Domain, fields, problems


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_current_and_compiled(domain: Domain, lang: str) -> None:
    found = problems(domain, lang)
    assert not found, "run make translations, then translate:\n" + "\n".join(map(str, found))


def test_each_language_the_kit_speaks_has_a_catalog_for_every_domain() -> None:
    for domain in DOMAINS:
        for lang in TRANSLATED:
            assert isinstance(language.translation(domain.name, domain.localedir, lang), gettext.GNUTranslations)


# --- the checker, on a domain of its own -----------------------------------------------------------


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Domain:
    """A domain whose one source file says two things, with a complete Vietnamese catalog."""
    monkeypatch.setattr(translations, "KIT_ROOT", tmp_path)
    (tmp_path / "source.py").write_text('_("{count} of {total} elements are off")\nN_("the loss is NaN")\n')
    domain = Domain("toy", tmp_path / "locale", (("source.py", "python"),))
    translations.update((domain,))
    catalog = translations.merged(domain, "vi")
    catalog["{count} of {total} elements are off"].string = "{count} trong {total} phần tử bị lệch"
    catalog["the loss is NaN"].string = "loss là NaN"
    _save(domain, catalog)
    return domain


def _save(domain: Domain, catalog, compile: bool = True) -> None:
    domain.po("vi").write_bytes(translations.po_bytes(catalog))
    if compile:
        domain.mo("vi").write_bytes(translations.mo_bytes(catalog))


def _whats(domain: Domain) -> list[str]:
    return [problem.what.split(":")[0] for problem in problems(domain, "vi")]


def test_a_complete_catalog_has_no_problem_and_is_what_gettext_reads(toy: Domain) -> None:
    assert problems(toy, "vi") == []
    vi = language.translation("toy", toy.localedir, "vi")
    assert vi.gettext("{count} of {total} elements are off").format(count=3, total=12) == "3 trong 12 phần tử bị lệch"
    assert language.translation("toy", toy.localedir, "en").gettext("the loss is NaN") == "the loss is NaN"


def test_a_new_message_in_the_sources_is_untranslated(toy: Domain) -> None:
    source = translations.KIT_ROOT / "source.py"
    source.write_text(source.read_text() + '_("dx has the wrong shape")\n')
    assert _whats(toy) == ["not translated"]
    translations.update((toy,))  # merging adds it with an empty translation: still not translated
    assert _whats(toy) == ["not translated"]


def test_a_changed_english_message_makes_its_translation_fuzzy(toy: Domain) -> None:
    source = translations.KIT_ROOT / "source.py"
    source.write_text(source.read_text().replace("the loss is NaN", "the loss is NaN or inf"))
    translations.update((toy,))
    assert _whats(toy) == ["translated before its English changed (fuzzy)"]
    # and the reader never sees the guess: the compiled catalog leaves a fuzzy message in English
    vi = language.translation("toy", toy.localedir, "vi")
    assert vi.gettext("the loss is NaN or inf") == "the loss is NaN or inf"


def test_a_translation_with_other_fields_is_a_problem(toy: Domain) -> None:
    catalog = translations.merged(toy, "vi")
    catalog["{count} of {total} elements are off"].string = "{count} phần tử bị lệch"
    _save(toy, catalog)
    assert _whats(toy) == ["fields differ"]
    catalog["{count} of {total} elements are off"].string = "{count} trong {totl} phần tử bị lệch"
    _save(toy, catalog)
    assert _whats(toy) == ["fields differ"]


def test_a_message_the_sources_dropped_is_stale(toy: Domain) -> None:
    (translations.KIT_ROOT / "source.py").write_text('_("{count} of {total} elements are off")\n')
    assert _whats(toy) == ["in the catalog but no longer in the sources (stale)"]
    translations.update((toy,))  # merging makes it obsolete, which is not shipped
    assert _whats(toy) == []


def test_a_po_edited_without_compiling_is_a_problem(toy: Domain) -> None:
    catalog = translations.merged(toy, "vi")
    catalog["the loss is NaN"].string = "giá trị loss là NaN"
    _save(toy, catalog, compile=False)
    assert _whats(toy) == ["not the .po compiled"]
    toy.mo("vi").unlink()
    assert _whats(toy) == ["not the .po compiled"]


def test_fields_keep_their_conversions_and_specs() -> None:
    assert fields("{name} of {shape!r} at {ratio:.1%}") == ["name", "shape!r", "ratio:.1%"]
    assert fields("no fields, {{braces}} escaped") == []


# --- choosing a language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        (None, {}, "en"),
        ("vi", {"BACKPROP_LANG": "en"}, "vi"),
        ("VI", {}, "vi"),
        (None, {"BACKPROP_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
        (None, {"LANG": "vi_VN.UTF-8"}, "vi"),
        (None, {"LC_ALL": "vi_VN", "LANG": "en_US.UTF-8"}, "vi"),
        (None, {"LANGUAGE": "fr:vi", "LANG": "en_US.UTF-8"}, "vi"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),  # the first set variable decides, as in gettext
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_the_reader_s_language(explicit: str | None, environ: dict[str, str], expected: str) -> None:
    assert language.chosen(explicit, environ) == expected


@pytest.mark.parametrize(("explicit", "environ"), [("fr", {}), (None, {"BACKPROP_LANG": "vn"})])
def test_a_language_asked_for_by_name_must_be_one_the_kit_speaks(explicit: str | None, environ: dict) -> None:
    with pytest.raises(language.UnknownLanguageError, match="the kit speaks en, vi"):
        language.chosen(explicit, environ)


def test_a_missing_catalog_is_an_error_not_english(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        language.translation("grader", tmp_path, "vi")



# --- the glossary ----------------------------------------------------------------------------------

GLOSSARY = translations.GRADER.localedir / "vi" / "GLOSSARY.md"


def glossary_terms() -> list[tuple[str, str]]:
    """The glossary's ``(English, Vietnamese)`` rows marked as always used."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[2] == "✓":
            rows.append((cells[0], cells[1]))
    return rows


def glossary_misses(domain: Domain, lang: str = "vi") -> list[str]:
    """Translations that leave out the Vietnamese of a glossary term their English uses."""
    from babel.messages.pofile import read_po

    with domain.po(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    misses = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        for english, vietnamese in glossary_terms():
            if re.search(rf"(?<![\w-]){re.escape(english)}(s|es)?(?![\w-])", str(message.id), re.IGNORECASE) and (
                vietnamese.lower() not in str(message.string).lower()
            ):
                misses.append(f"{message.id!r} uses {english!r} but its translation lacks {vietnamese!r}")
    return misses


def test_the_glossary_marks_the_technical_terms() -> None:
    terms = dict(glossary_terms())
    assert terms["gradient"] == "gradient" and terms["saturated"] == "bão hòa" and terms["vanishing"] == "triệt tiêu"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_translations_use_the_glossary(domain: Domain) -> None:
    misses = glossary_misses(domain)
    assert not misses, "\n".join(misses)


def test_the_glossary_check_notices_a_term_translated_otherwise(toy: Domain) -> None:
    source = translations.KIT_ROOT / "source.py"
    source.write_text(source.read_text() + '_("the sigmoid is saturated")\n')
    translations.update((toy,))
    catalog = translations.merged(toy, "vi")
    catalog["the sigmoid is saturated"].string = "sigmoid đã no"
    _save(toy, catalog)
    assert glossary_misses(toy) == ["'the sigmoid is saturated' uses 'saturated' but its translation lacks 'bão hòa'"]
    catalog["the sigmoid is saturated"].string = "sigmoid bị bão hòa"
    _save(toy, catalog)
    assert glossary_misses(toy) == []


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_every_translation_is_nfc(domain: Domain) -> None:
    """Precomposed Vietnamese letters (NFC): one column each in the text report, and one spelling to search."""
    import unicodedata

    from babel.messages.pofile import read_po

    for lang in translations.TRANSLATED:
        with domain.po(lang).open("rb") as po:
            catalog = read_po(po, locale=lang)
        for message in catalog:
            forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
            assert all(unicodedata.is_normalized("NFC", form or "") for form in forms), message.id

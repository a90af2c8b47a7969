"""A message is its English text, and says itself again in any language the kit speaks."""

from __future__ import annotations

import pickle
import unicodedata

from autograder.core.language import N_
from autograder.core.text import ENGLISH, T_, Text, Tn_, catalog, joined, speaker

VI = speaker("vi")


def test_a_text_is_its_english_and_keeps_its_template_and_fields() -> None:
    text = T_("{name} has shape {got}; expected {expected}{like}", name="dx", got=(3, 4), expected=(3, 5),
              like=T_(" like {wrt}", wrt="x"))
    assert text == "dx has shape (3, 4); expected (3, 5) like x"
    assert isinstance(text, str) and ENGLISH(text) == text
    assert text.template == "{name} has shape {got}; expected {expected}{like}"
    assert dict(text.fields)["name"] == "dx"


def test_fields_stay_as_they_are_and_nested_texts_are_said_in_the_same_language() -> None:
    text = T_("{name} has shape {got}; expected {expected}{like}", name="dx", got=(3, 4), expected=(3, 5),
              like=T_(" like {wrt}", wrt="x"))
    said = VI(text)
    assert said == "dx có shape (3, 4); cần (3, 5) giống x"
    assert unicodedata.is_normalized("NFC", said)


def test_a_plural_follows_the_count_in_english_and_has_one_form_in_vietnamese() -> None:
    one = Tn_("{name} probably calls {callees}, which fails above: fix that first.",
              "{name} probably calls {callees}, which fail above: fix those first.", 1, name="rnn_backward",
              callees="rnn_step_backward")
    two = Tn_("{name} probably calls {callees}, which fails above: fix that first.",
              "{name} probably calls {callees}, which fail above: fix those first.", 2, name="f",
              callees=joined(N_(" and "), ["g", "h"]))
    assert one.endswith("which fails above: fix that first.") and two == "f probably calls g and h, which fail " \
        "above: fix those first."
    assert VI(two) == "f có lẽ gọi g và h, đang sai ở trên: hãy sửa trước."
    assert catalog("vi").ngettext("x", "xs", 1) == "x"  # one plural form: a missing message stays English


def test_a_plain_string_is_looked_up_unformatted() -> None:
    assert VI("matches the reference on random cases") == "khớp với lời giải tham chiếu trên các trường hợp ngẫu nhiên"
    assert VI("anything the student wrote {0}") == "anything the student wrote {0}"  # not formatted, not found


def test_a_text_survives_pickling_as_a_grade_does_between_processes() -> None:
    text = T_("cases {names} and {count} more", names='"a", "b", "c"', count=4)
    again = pickle.loads(pickle.dumps(text))
    assert isinstance(again, Text) and again == text and VI(again) == VI(text)


def test_english_is_said_by_str_itself() -> None:
    assert speaker("en") is str
    assert Text("") == "" and VI(Text("")) == ""  # an empty template is never looked up (the catalog's header)

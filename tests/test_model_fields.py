"""The models' fields as the converter and the scaffold read them (model/fields.py), and the
checks the converter makes from them: one declaration in the model is the key, the type, the
default, the description and the constraint."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest
import yaml

from outcomesite.load.account import account_data
from outcomesite.load.convert import convert
from outcomesite.model.config import SegmentRule, Segments, SiteConfig, config_json
from outcomesite.model.fields import fields_by_key
from outcomesite.model.schema import SLUG_PATTERN, AccountData, NextStep, Result, Validator
from tests.conftest import AS_OF, VALID

FIELDS: list[tuple[Any, str, str, dict[str, Any]]] = [
    # model, key, attribute, what the field says
    (AccountData, "account", "account", {"required": True, "strip": True, "min_length": 1}),
    (AccountData, "link_version", "link_version", {"required": False, "ge": 1, "default": 1}),
    (AccountData, "arr", "arr", {"required": False, "ge": 0, "default": None}),
    (AccountData, "results", "results", {"required": False, "default": ()}),
    (Result, "id", "id", {"required": True, "pattern": SLUG_PATTERN, "strip": False}),
    (Result, "evidence", "evidence", {"required": False, "default": "measured"}),
    (Validator, "name", "name", {"required": True, "strip": True}),
    (NextStep, "side", "side", {"required": False, "default": "vendor"}),
    (Segments, "mid-market", "mid_market", {"required": False}),
    (SiteConfig, "pdf_memory_mb", "pdf_memory_mb", {"ge": 200, "strip": False}),
    (SiteConfig, "segments", "segments", {"default": Segments()}),
    (SiteConfig, "vendor", "vendor", {"default": "", "strip": False, "min_length": None}),
]


@pytest.mark.parametrize(("model", "key", "name", "expected"), FIELDS)
def test_a_field_is_read_from_its_declaration(
    model: Any, key: str, name: str, expected: dict[str, Any]
) -> None:
    spec = fields_by_key(model)[key]
    assert spec.name == name
    assert spec.description  # every field explains itself (messages and the JSON Schema use it)
    for what, value in expected.items():
        found = spec.default() if what == "default" else getattr(spec, what)
        assert found == value, what


def test_keys_are_listed_in_the_models_order() -> None:
    assert list(fields_by_key(Segments)) == ["smb", "mid-market", "enterprise"]
    assert list(fields_by_key(AccountData))[:4] == ["account", "segment", "csm", "start_date"]


def test_quoted_text_is_kept_without_its_outer_spaces() -> None:
    """A quoted value's outer spaces are not part of what the person wrote (the models' `Text`);
    plain strings in the config are kept as written."""
    raw = VALID.replace("csm: Dana Reyes", 'csm: "  Dana Reyes  "').encode()
    assert b'"  Dana Reyes  "' in raw
    data = account_data(raw, "acme", SiteConfig(), AS_OF)
    assert data is not None and data.csm == "Dana Reyes"


def _mapping(text: str) -> yaml.MappingNode:
    node = yaml.compose(text)
    assert isinstance(node, yaml.MappingNode)
    return node


class _Odd(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What no model of ours declares: bytes, and a text length limit other than `Text`'s."""

    blob: Annotated[bytes, msgspec.Meta(description="Raw bytes")] = b""
    code: Annotated[str, msgspec.Meta(min_length=3, description="A code")] = "abc"


@pytest.mark.parametrize(
    ("text", "where"), [("blob: abc\n", "`$.blob`"), ("code: ab\n", "`$.code`")]
)
def test_a_value_the_checks_do_not_know_is_reported_not_raised(text: str, where: str) -> None:
    """A field the converter and its checks have no reading for (a bug in a model, not in the
    file) ends as a problem at the file's first line, from msgspec, never as a traceback."""
    conv = convert(_mapping(text), _Odd, line_offset=1)
    assert conv.model is None
    assert [line for line, _ in conv.problems] == [1]
    assert conv.problems[0][1].startswith("this could not be read (")
    assert where in conv.problems[0][1]


def test_constraints_are_checked_in_the_models_order_after_the_converters_problems() -> None:
    """Missing keys are reported at their group's line (here the first) in the model's order,
    the broken constraint at its key's line, each once: what the converter refused (`baseline`)
    is not reported again as missing. The same list, in the same order, as pydantic gave."""
    text = "goal: G\nbaseline: x\nid: Not A Slug\n"
    conv = convert(_mapping(text), Result, line_offset=1)
    assert conv.problems == [
        (1, "`metric` is missing: add a line `metric: ...` with what is measured, e.g. Days to "
            "onboard a warehouse employee"),
        (1, "`target` is missing: add a line `target: ...` with the value the customer wants to "
            "reach, a plain number"),
        (1, "`owner` is missing: add a line `owner: ...` with the internal owner of this result "
            "(a person's name)"),
        (2, "`baseline` must be a plain number such as 40 or 12.5 (found `x`)"),
        (3, "`id` `Not A Slug` may only use lowercase letters, digits and hyphens, e.g. `not-a-slug`"),
    ]  # fmt: skip
    assert conv.model is None


@pytest.mark.parametrize("written", ['"abc\\n"', '"abc\\t"', '"-abc"', "Abc", '"ab c"'])
def test_an_id_is_a_slug_to_its_last_character(written: str) -> None:
    """The pattern holds for the whole text: a quoted `\\n` at the end is no slug either."""
    text = f"id: {written}\ngoal: G\nmetric: M\nbaseline: 1\ntarget: 2\nowner: O\n"
    conv = convert(_mapping(text), Result, line_offset=1)
    assert conv.model is None
    assert len(conv.problems) == 1
    line, message = conv.problems[0]
    assert line == 1 and "may only use lowercase letters, digits and hyphens" in message


def test_a_setting_changed_is_a_cache_key_changed() -> None:
    assert config_json(SiteConfig()) == config_json(SiteConfig())
    assert config_json(SiteConfig()) != config_json(SiteConfig(stale_after_days=30))
    changed = Segments(smb=SegmentRule(definition="A win"))
    assert config_json(SiteConfig()) != config_json(SiteConfig(segments=changed))

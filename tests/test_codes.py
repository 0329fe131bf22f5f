"""Area codes as typed by hand: normalised, checked, and what an unknown one may have meant."""

from __future__ import annotations

import pandas as pd
import pytest

from maillage import load_communes
from maillage.errors import OptionError, UnknownCodeError
from maillage.prepare.codes import normalise_area_code, suggest_area_codes
from maillage.prepare.communes import check_area


@pytest.mark.parametrize(
    ("typed", "level", "code"),
    [("9", "departement", "09"), ("2a", "departement", "2A"), (" 75 ", "region", "75")],
)
def test_normalise_area_code(typed, level, code):
    assert normalise_area_code(typed, level) == code


def test_suggestions_by_name_and_by_typing_error():
    names = pd.Series({"16": "Charente", "17": "Charente-Maritime", "79": "Deux-Sèvres"})
    assert suggest_area_codes("charente", names, level="departement") == ["16", "17"]
    assert suggest_area_codes("deux sevres", names, level="departement") == ["79"]
    assert suggest_area_codes("18", names, level="departement") == ["17", "16"]
    assert suggest_area_codes("Vendée", names, level="departement") == []


def test_codes_as_typed_are_normalised():
    """9 is Ariège's 09, 2a Corse-du-Sud's 2A: the API and the command line read them alike."""
    assert check_area(region="75", departements=["9", "2a", " 33 "]) == (
        "75",
        ["09", "2A", "33"],
        None,
    )
    ariege = load_communes(departements="9")
    assert set(ariege["departement"]) == {"09"} and len(ariege) > 300


@pytest.mark.parametrize(
    ("kwargs", "unknown", "meant"),
    [
        ({"region": "99"}, "99", ["94", "93"]),
        ({"region": "bretagne"}, "bretagne", ["53"]),
        ({"departements": "Gironde"}, "Gironde", ["33"]),
        ({"departements": "2c"}, "2c", ["2A", "2B"]),
        ({"departements": ["17", "1O"]}, "1O", ["10"]),  # letter O for zero
    ],
)
def test_unknown_code_says_what_was_meant(kwargs, unknown, meant):
    """A short list of what the code may have meant, never the list of every code."""
    with pytest.raises(UnknownCodeError) as info:
        check_area(**kwargs)
    error = info.value
    assert isinstance(error, OptionError)  # callers catching OptionError still do
    assert error.unknown == [unknown]
    found = [code for code, _ in error.suggestions[unknown]]
    assert found[: len(meant)] == meant and len(found) <= 5
    assert "did you mean" in str(error) and "Val-de-Marne, " not in str(error)


def test_a_departement_given_as_region_is_named():
    with pytest.raises(UnknownCodeError) as info:
        check_area(region="33")
    assert info.value.other_level == {"33": ("departement", "Gironde")}
    assert "(departements='33')" in str(info.value)

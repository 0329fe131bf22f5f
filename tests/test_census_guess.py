"""Canonical and French headers read as they are; a --columns line proposed for others."""

from __future__ import annotations

import pytest

from maillage.load.census_guess import (
    columns_flag,
    layout_mapping,
    parse_columns_flag,
    propose_columns,
)


def test_canonical_header_whatever_the_case():
    found = ["venue_id", "name", "Latitude", "LONGITUDE", "kind", "telephone"]
    assert layout_mapping(found) == {
        "venue_id": "venue_id",
        "name": "name",
        "Latitude": "latitude",
        "LONGITUDE": "longitude",
        "kind": "kind",
    }


def test_french_header():
    found = ["Identifiant", "Nom", "Type", "Code INSEE", "Ouverture", "Soutien public", "X", "Y"]
    assert layout_mapping(found) == {
        "Identifiant": "venue_id",
        "Nom": "name",
        "Type": "kind",
        "Code INSEE": "code_insee",
        "Ouverture": "opened",
        "Soutien public": "supported",
        "X": "x",
        "Y": "y",
    }


def test_no_place_no_layout_unless_geometries():
    assert layout_mapping(["Nom", "Adresse"]) is None
    assert layout_mapping(["Nom", "Adresse"], has_geometry=True) == {"Nom": "name"}


def test_a_commune_is_a_place():
    assert layout_mapping(["Nom", "Commune"]) == {"Nom": "name", "Commune": "commune"}
    assert layout_mapping(["Lieu", "Code INSEE"]) == {"Lieu": "name", "Code INSEE": "code_insee"}


def test_proposal_for_a_region_style_export_never_maps_personal_columns():
    found = ["id", "nom", "typologie", "cp", "Commune", "latitude", "longitude", "mail", "tel"]
    proposal = propose_columns(found)
    assert proposal == {
        "id": "venue_id",
        "nom": "name",
        "typologie": "kind",
        "latitude": "latitude",
        "longitude": "longitude",
    }
    assert columns_flag(proposal) == (
        '--columns "id=venue_id,nom=name,typologie=kind,latitude=latitude,longitude=longitude"'
    )


def test_proposal_takes_the_first_likely_column_of_each_kind():
    assert propose_columns(["insee", "code_insee", "lat", "lng", "lon"]) == {
        "insee": "code_insee",
        "lat": "latitude",
        "lng": "longitude",
    }


def test_parse_columns_flag_round_trip_and_errors():
    mapping = {"Nom du lieu": "name", "Identifiant": "venue_id"}
    text = columns_flag(mapping).removeprefix("--columns ").strip('"')
    assert parse_columns_flag(text) == mapping
    with pytest.raises(ValueError, match="paires"):
        parse_columns_flag("Nom")
    with pytest.raises(ValueError, match="paires"):
        parse_columns_flag("Nom=,X=x")

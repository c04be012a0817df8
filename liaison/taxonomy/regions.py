"""World regions of countries, after the UN Statistics Division's M49 standard (its
sub-regions, with Sub-Saharan Africa and Latin America shown by their classic sub-regions).
The programme dashboard groups the countries of origin of assignments by them; the
remittance indices group corridors by the receiving country's."""

from __future__ import annotations

import functools

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# M49 code: (label, ISO 3166 alpha-2 codes). Territories without a sub-region (Antarctica,
# Bouvet Island ...) fall under OTHER.
SUBREGIONS: dict[str, tuple[Promise, str]] = {
    "015": (_("Northern Africa"), "DZ EG LY MA SD TN EH"),
    "014": (_("Eastern Africa"), "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS TZ UG ZM ZW"),
    "017": (_("Middle Africa"), "AO CM CF TD CG CD GQ GA ST"),
    "018": (_("Southern Africa"), "BW LS NA ZA SZ"),
    "011": (_("Western Africa"), "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"),
    "029": (
        _("Caribbean"),
        "AI AG AW BS BB BQ KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VG VI",
    ),
    "013": (_("Central America"), "BZ CR SV GT HN MX NI PA"),
    "005": (_("South America"), "AR BO BR CL CO EC FK GF GY PY PE SR UY VE"),
    "021": (_("Northern America"), "BM CA GL PM US"),
    "143": (_("Central Asia"), "KZ KG TJ TM UZ"),
    "030": (_("Eastern Asia"), "CN HK MO KP JP MN KR TW"),
    "035": (_("South-eastern Asia"), "BN KH ID LA MY MM PH SG TH TL VN"),
    "034": (_("Southern Asia"), "AF BD BT IN IR MV NP PK LK"),
    "145": (_("Western Asia"), "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"),
    "151": (_("Eastern Europe"), "BY BG CZ HU PL MD RO RU SK UA"),
    "154": (_("Northern Europe"), "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB"),
    "039": (_("Southern Europe"), "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES"),
    "155": (_("Western Europe"), "AT BE FR DE LI LU MC NL CH"),
    "053": (_("Australia and New Zealand"), "AU NZ NF"),
    "054": (_("Melanesia"), "FJ NC PG SB VU"),
    "057": (_("Micronesia"), "GU KI MH FM NR MP PW"),
    "061": (_("Polynesia"), "AS CK PF NU PN WS TK TO TV WF"),
}
OTHER = "other"


@functools.cache
def _by_country() -> dict[str, str]:
    return {
        code: region for region, (_label, codes) in SUBREGIONS.items() for code in codes.split()
    }


def region_of(country: str) -> str:
    """The M49 sub-region code of an ISO 3166 alpha-2 country code (``OTHER`` if none)."""
    return _by_country().get(str(country).upper(), OTHER)


def labels() -> dict[str, str]:
    """Region codes and their names in the current language, ``OTHER`` last."""
    out = {code: str(label) for code, (label, _codes) in SUBREGIONS.items()}
    out[OTHER] = str(_("Other territories"))
    return out

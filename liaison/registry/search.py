"""Back-office search over members: names (accent-, case- and script-insensitive, tolerant of
typos), occupations and skills, with filters.

Names are matched on ``Member.search_name`` (the names as written and in Latin letters,
transliterated to ASCII and lower-cased). On PostgreSQL typo tolerance comes from trigram word
similarity (``pg_trgm``'s ``<%`` operator at its default threshold, 0.6, GIN-indexed); on
SQLite, candidates sharing a three-letter piece of a word are re-scored with RapidFuzz.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rapidfuzz import fuzz

from liaison.core import bulk
from liaison.core.forms import style_widgets
from liaison.registry.models import (
    Availability,
    Interest,
    Member,
    MemberInterest,
    MemberLanguage,
    MemberSkill,
    Modality,
    Purpose,
    Sex,
    latin,
)
from liaison.taxonomy.models import IscoGroup, Occupation, Skill
from liaison.taxonomy.reference import CEFR_ORDER, CefrLevel, IscedLevel
from liaison.taxonomy.widgets import TaxonomyAutocomplete

AGE_BANDS = {
    "18-24": (18, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45-54": (45, 54),
    "55-64": (55, 64),
    "65+": (65, 130),
}
FUZZY_SCORE = 75  # RapidFuzz ratio of a typed word to a word of the name, on SQLite
FUZZY_CANDIDATES = 20000
TOPICS = 200  # occupations or skills a free-text search may expand to


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, occupation or skill"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country of residence"), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_blank(Sex.choices))
    age = forms.ChoiceField(
        label=_("Age"), required=False, choices=_blank([(k, k) for k in AGE_BANDS])
    )
    education = forms.ChoiceField(
        label=_("Education at least"), required=False, choices=_blank(IscedLevel.choices)
    )
    isco = forms.RegexField(
        label=_("Occupation group (ISCO-08 code)"), regex=r"^\d{1,4}$", required=False
    )
    skill = forms.CharField(
        label=_("Skill"), required=False, max_length=200, widget=TaxonomyAutocomplete("skill")
    )
    language = forms.RegexField(
        label=_("Language (ISO 639)"), regex=r"^[a-z]{2,3}$", required=False
    )
    level = forms.ChoiceField(
        label=_("Language level at least"), required=False, choices=_blank(CefrLevel.choices)
    )
    interest = forms.ChoiceField(
        label=_("Interest"), required=False, choices=_blank(Interest.choices)
    )
    modality = forms.ChoiceField(
        label=_("Available for"), required=False, choices=_blank(Modality.choices)
    )
    consent = forms.ChoiceField(
        label=_("Has consented to"), required=False, choices=_blank(Purpose.choices)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = _blank(list(countries))
        style_widgets(self)  # the autocomplete inputs bring their own class

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") and not data.get("language"):
            self.add_error("language", _("Choose the language whose level you ask for."))
        return data

    def apply(self, members: QuerySet[Member]) -> QuerySet[Member]:
        """Narrow ``members``; an invalid form selects nothing (its errors are shown)."""
        if not self.is_valid():
            return members.none()
        d = self.cleaned_data
        if d["country"]:
            members = members.filter(country_of_residence=d["country"])
        if d["city"]:
            members = members.filter(city__iexact=d["city"].strip())
        if d["sex"]:
            members = members.filter(sex=d["sex"])
        if d["age"]:
            low, high = AGE_BANDS[d["age"]]
            today = timezone.localdate()
            members = members.filter(
                birth_date__gt=years_before(today, high + 1),
                birth_date__lte=years_before(today, low),
            )
        if d["education"]:
            members = members.filter(education_level__gte=d["education"])
        if d["isco"]:
            # A member's group is their occupation's (Member.save keeps it so).
            groups = IscoGroup.objects.filter(code__startswith=d["isco"]).values_list("pk")
            members = members.filter(isco_group_id__in=[pk for (pk,) in groups])
        if d["skill"]:
            skill = self.data.get("skill_value") or ""
            match = Q(skill__uri=skill) if skill else Q(skill__label__iexact=d["skill"].strip())
            members = members.filter(
                Exists(MemberSkill.objects.filter(match, member=OuterRef("pk")))
            )
        if d["language"]:
            languages = MemberLanguage.objects.filter(language=d["language"])
            if d["level"]:
                floor = CEFR_ORDER[d["level"]]
                languages = languages.filter(
                    level__in=[lv for lv, rank in CEFR_ORDER.items() if rank >= floor]
                )
            members = members.filter(pk__in=languages.values("member_id"))
        if d["interest"]:
            members = members.filter(
                Exists(MemberInterest.objects.filter(member=OuterRef("pk"), interest=d["interest"]))
            )
        if d["modality"]:
            today = timezone.localdate()
            members = members.filter(
                Exists(
                    Availability.objects.filter(
                        Q(ends__isnull=True) | Q(ends__gte=today),
                        member=OuterRef("pk"),
                        modality=d["modality"],
                    )
                )
            )
        if d["consent"]:
            members = members.filter(pk__in=Member.objects.consenting(d["consent"]).values("pk"))
        if d["q"]:
            members = search_text(members, d["q"])
        return members


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _by_topic(text: str) -> Q:
    """Members whose occupation or one of whose skills is named like ``text``.

    The few matching concepts are looked up first, so that the member query stays on indexed
    foreign keys instead of joining labels row by row.
    """
    occupations = list(
        Occupation.objects.filter(label__icontains=text).values_list("pk", flat=True)[:TOPICS]
    )
    skills = list(Skill.objects.filter(label__icontains=text).values_list("pk", flat=True)[:TOPICS])
    topic = Q(pk__in=[])
    if occupations:
        topic |= Q(occupation_id__in=occupations)
    if skills:
        topic |= Q(pk__in=MemberSkill.objects.filter(skill_id__in=skills).values("member_id"))
    return topic


def search_text(members: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Members whose name (typos allowed), occupation or skill matches ``text``."""
    needle = latin(text).lower().strip()
    if not needle:
        return members
    by_topic = _by_topic(text.strip())
    exact = Q(search_name__contains=needle)
    if connection.vendor == "postgresql":
        # Both name conditions use the trigram GIN index (LIKE and the <% operator).
        return (
            members.filter(exact | Q(search_name__trigram_word_similar=needle) | by_topic)
            .annotate(similarity=TrigramWordSimilarity(needle, "search_name"))
            .order_by("-similarity", "pk")
        )
    # SQLite: gather candidates that share a three-letter piece with a typed word, then score.
    pieces = Q()
    for word in needle.split():
        for i in range(0, max(1, len(word) - 2), 2):
            pieces |= Q(search_name__contains=word[i : i + 3])
    ids = [
        pk
        for pk, name in members.filter(pieces).values_list("pk", "search_name")[:FUZZY_CANDIDATES]
        if needle in name or _words_match(needle.split(), name.split())
    ]
    return members.filter(Q(pk__in=ids) | by_topic)


def _words_match(typed: list[str], words: list[str]) -> bool:
    """Every typed word is close to (or starts) some word of the name."""
    return all(
        any(w.startswith(t) or fuzz.ratio(t, w) >= FUZZY_SCORE for w in words) for t in typed
    )


COUNT_CAP = 10_000
TEXT_ORDER = {"family_name", "given_name"}


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``COUNT_CAP`` rows: past that, "10,000 or more" is all a list needs, and
    counting a million matches would cost more than finding the first page.

    The count reads the matching ids (at most ``COUNT_CAP``, in no order, which the database
    finds fastest). When there are fewer, pages are cut from those ids: the database then sorts
    a few thousand known rows instead of walking the whole list in order looking for rare
    matches. Past the cap, matches are dense and reading the list in order finds a page fast.
    """

    @cached_property
    def first_ids(self) -> list[int]:
        ids = self.object_list.order_by().values_list("pk", flat=True)  # type: ignore[attr-defined]
        return list(ids[:COUNT_CAP])

    @cached_property
    def count(self) -> int:
        return len(self.first_ids)

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows: Any = self.object_list
        ordered = rows if self.capped else self._sorted(self.first_ids)
        # The page's ids first, sorted without joins; then those rows with their relations.
        ids = list(ordered.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        found = {m.pk: m for m in bulk.one_of(rows, "pk", ids).order_by()}
        return Page([found[pk] for pk in ids if pk in found], number, self)

    def _sorted(self, ids: list[int]) -> QuerySet[Any]:
        """The rows with these ids in the list's order. The ids are the matches already, so the
        search conditions are not evaluated again; only what the order needs (a text search's
        similarity) is."""
        rows: Any = self.object_list
        base = rows.model._default_manager.all()
        if rows.query.annotations:
            base = base.annotate(**rows.query.annotations)
        order: list[Any] = list(rows.query.order_by or rows.model._meta.ordering)
        # Sorting a few thousand rows is quick, but PostgreSQL would rather walk the whole list
        # in order (its index) filtering by id; the same key as an expression it cannot read
        # from an index (text || '', same collation, same order) makes it sort them.
        first = order[0] if order else None
        if isinstance(first, str) and first.lstrip("-") in TEXT_ORDER:
            key = Concat(F(first.lstrip("-")), Value(""))
            order[0] = key.desc() if first.startswith("-") else key.asc()
        return bulk.one_of(base, "pk", ids).order_by(*order)

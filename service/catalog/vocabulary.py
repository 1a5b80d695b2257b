"""Fixed vocabularies of the catalogue, with labels in the current language."""

from __future__ import annotations

from service.catalog.tables import PartnerKind
from service.countries import all_domain_names, current_country, kind_names
from service.formats import weekday_name
from service.i18n import gettext as _

ACCESSIBILITY_FEATURES = (
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "quiet_space",
    "seated_work",
    "parking",
    "public_transport",
)


def default_domains() -> dict[str, str]:
    """The provider's default goal domains, from its country pack (key: English name)."""
    return dict(current_country().goal_domains)


def feature_label(feature: str) -> str:
    return {
        "step_free": _("Step-free access"),
        "accessible_toilet": _("Accessible toilet"),
        "hearing_loop": _("Hearing loop"),
        "quiet_space": _("Quiet space to rest"),
        "seated_work": _("Work can be done seated"),
        "parking": _("Parking nearby"),
        "public_transport": _("Near public transport"),
    }.get(feature, feature)


def kind_label(kind: str) -> str:
    """An activity kind as people in the provider's country name it (the country pack
    names it in English; the catalogues translate it)."""
    name = kind_names(current_country().code).get(kind)
    return _(name) if name else kind


def skill_label(key: str) -> str:
    """A staff skill in words: the usual ones translated, any other key written out
    (`outdoor_guiding` -> "Outdoor guiding"), never the raw key."""
    labels: dict[str, str] = {
        "animal_handling": _("Animal handling"),
        "first_aid": _("First aid"),
        "kitchen_hygiene": _("Kitchen hygiene"),
        "job_coaching": _("Job coaching"),
        "outdoor_guiding": _("Outdoor guiding"),
        "peer_support": _("Peer support"),
        "gardening": _("Gardening"),
        "woodwork": _("Woodwork"),
    }
    return labels.get(key) or key.replace("_", " ").strip().capitalize()


def partner_kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        PartnerKind.farm: _("Green-care farm"),
        PartnerKind.employer: _("Employer"),
        PartnerKind.community: _("Community group"),
    }
    return labels.get(kind, kind)


def domain_label(key: str, stored: str) -> str:
    """The default domains of every country pack have translated names; ones added or
    renamed by an administrator show as they were written."""
    return _(stored) if stored in all_domain_names() else stored


def weekday_names() -> list[str]:
    """Monday first, as `date.weekday()` counts, in the reader's language (Babel)."""
    return [weekday_name(day) for day in range(7)]


#: The short list of diets a participant may have (an allergy is told in words).
DIETS = ("vegetarian", "vegan", "gluten_free", "lactose_free", "no_pork")


def diet_label(diet: str) -> str:
    return {
        "vegetarian": _("Vegetarian"),
        "vegan": _("Vegan"),
        "gluten_free": _("Gluten-free"),
        "lactose_free": _("Lactose-free"),
        "no_pork": _("No pork"),
    }.get(diet, diet)

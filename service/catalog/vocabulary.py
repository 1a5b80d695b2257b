"""Fixed vocabularies of the catalogue, with labels in the current language."""

from __future__ import annotations

from service.catalog.tables import ActivityKind, PartnerKind
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

DEFAULT_DOMAINS = {
    "everyday_living": "Everyday living",
    "interaction": "Interaction",
    "social_networks": "Social networks",
    "decision_making": "Decision-making",
    "stress_management": "Stress management",
    "self_confidence": "Self-confidence",
    "work_and_study": "Work and study",
}


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
    labels: dict[str, str] = {
        ActivityKind.workshop: _("Workshop"),
        ActivityKind.day_activity: _("Day activity"),
        ActivityKind.green_care: _("Green care"),
        ActivityKind.supported_employment: _("Supported employment"),
    }
    return labels.get(kind, kind)


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
    """The default domains have translated names; ones added by an administrator
    show as they were written."""
    translated = {
        "everyday_living": _("Everyday living"),
        "interaction": _("Interaction"),
        "social_networks": _("Social networks"),
        "decision_making": _("Decision-making"),
        "stress_management": _("Stress management"),
        "self_confidence": _("Self-confidence"),
        "work_and_study": _("Work and study"),
    }
    if key in translated and stored == DEFAULT_DOMAINS[key]:
        return translated[key]
    return stored


def weekday_names() -> list[str]:
    """Monday first, as `date.weekday()` counts."""
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]

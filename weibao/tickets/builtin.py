"""Built-in categories and the default urgency x impact matrix, seeded by migration 0002.

Labels of built-in rows are translated from here, so a Chinese and an English user each read
their own language; rows an administrator adds show the name they typed.
"""

from django.utils.translation import gettext_lazy as _

from weibao.tickets.choices import CategoryKind, Level, Priority

# code -> (kind, parent code or None, label, sort order)
BUILTIN_CATEGORIES = {
    "technical": (CategoryKind.TECHNICAL, None, _("Technical problem"), 10),
    "technical-hardware": (CategoryKind.TECHNICAL, "technical", _("Hardware fault"), 11),
    "technical-network": (CategoryKind.TECHNICAL, "technical", _("Network fault"), 12),
    "technical-software": (CategoryKind.TECHNICAL, "technical", _("Software error"), 13),
    "technical-performance": (CategoryKind.TECHNICAL, "technical", _("Performance"), 14),
    "functional": (CategoryKind.FUNCTIONAL, None, _("Functional problem"), 20),
    "functional-defect": (CategoryKind.FUNCTIONAL, "functional", _("Function defect"), 21),
    "functional-change": (CategoryKind.FUNCTIONAL, "functional", _("Change request"), 22),
    "usage": (CategoryKind.USAGE, None, _("Usage question"), 30),
    "usage-howto": (CategoryKind.USAGE, "usage", _("How to"), 31),
    "usage-account": (CategoryKind.USAGE, "usage", _("Accounts and permissions"), 32),
}

DEFAULT_MATRIX = {
    (Level.HIGH, Level.HIGH): Priority.CRITICAL,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.NORMAL,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.MEDIUM, Level.MEDIUM): Priority.NORMAL,
    (Level.MEDIUM, Level.LOW): Priority.NORMAL,
    (Level.LOW, Level.HIGH): Priority.NORMAL,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}

"""What the benchmark's assets look like: categories with their vendors and models, departments,
locations and people, drawn from a seeded ``random.Random`` so that every run writes the same data.

Shared by the command mix (HTTP and in-process), the bulk loader behind the listing and rebuild
figures, and the import file, so that every workload sees values of the same shape and spread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Kind:
    category: str
    weight: int
    models: tuple[tuple[str, str], ...]  # (vendor, model)
    cost: tuple[int, int]


KINDS = (
    Kind("laptop", 30, (("Lenovo", "ThinkPad T14 Gen 4"), ("Dell", "Latitude 7440"),
                        ("Apple", "MacBook Pro 14 M3"), ("HP", "EliteBook 840 G10")), (900, 2600)),
    Kind("desktop", 7, (("Dell", "OptiPlex 7010"), ("HP", "Elite Mini 800 G9")), (700, 1800)),
    Kind("monitor", 18, (("Dell", "U2723QE"), ("LG", "27UP850-W"), ("Samsung", "ViewFinity S8")), (220, 900)),
    Kind("phone", 15, (("Apple", "iPhone 15"), ("Samsung", "Galaxy S24"), ("Google", "Pixel 8")),
         (450, 1300)),
    Kind("tablet", 5, (("Apple", "iPad Air 11"), ("Microsoft", "Surface Pro 9")), (400, 1400)),
    Kind("server", 3, (("Dell", "PowerEdge R760"), ("HPE", "ProLiant DL380 Gen11")), (6000, 28000)),
    Kind("network", 8, (("Cisco", "Catalyst 9300-48P"), ("Ubiquiti", "UniFi Switch Pro 48"),
                        ("Fortinet", "FortiGate 100F")), (400, 9000)),
    Kind("printer", 4, (("HP", "LaserJet Enterprise M611dn"), ("Brother", "HL-L9310CDW")), (300, 4000)),
    Kind("av-equipment", 3, (("Logitech", "Rally Bar"), ("Poly", "Studio X50")), (1500, 4500)),
)  # fmt: skip
_KIND_WEIGHTS = [k.weight for k in KINDS]

DEPARTMENTS = (
    "engineering",
    "sales",
    "customer-support",
    "it",
    "marketing",
    "facilities",
    "finance",
    "people",
    "legal",
)
_DEPARTMENT_WEIGHTS = (28, 16, 12, 12, 9, 8, 7, 5, 3)
OFFICES = (
    "London HQ",
    "Berlin office",
    "New York office",
    "Singapore office",
    "Paris office",
    "Toronto office",
    "Remote",
    "FRA1 data centre",
    "IAD2 data centre",
    "IT storeroom",
)
FIRST = (
    "amelia",
    "noah",
    "olivia",
    "liam",
    "sofia",
    "mateo",
    "aisha",
    "yusuf",
    "mei",
    "hiroshi",
    "ana",
    "lucas",
    "zara",
    "omar",
    "chloe",
    "arjun",
    "freya",
    "diego",
    "nadia",
    "jonas",
)
LAST = (
    "khan",
    "smith",
    "garcia",
    "mueller",
    "rossi",
    "nguyen",
    "kim",
    "silva",
    "novak",
    "haddad",
    "johansson",
    "okeke",
    "dubois",
    "sato",
    "kowalski",
)
TODAY = date(2026, 11, 28)

# The q terms the listing measures: a common word (in about one asset model of ten), a rare one
# (one serial number's digits) and a two-character one, which a trigram index cannot serve.
COMMON_TERM = "thinkpad"
TWO_CHARACTERS = "m3"


def person(rng: random.Random, people: int) -> str:
    """One of ``people`` distinct names (e.g. 50,000 owners in a million-asset fleet)."""
    n = rng.randrange(people)
    return f"{FIRST[n % len(FIRST)]}.{LAST[(n // len(FIRST)) % len(LAST)]}{n // (len(FIRST) * len(LAST))}"


@dataclass(frozen=True)
class Item:
    """The descriptive fields of one asset."""

    category: str
    vendor: str
    model: str
    department: str
    cost: Decimal
    acquired_on: date
    serial_number: str
    asset_tag: str


def item(rng: random.Random, serial: int, tag_prefix: str = "BT") -> Item:
    kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    vendor, model = rng.choice(kind.models)
    return Item(
        category=kind.category,
        vendor=vendor,
        model=model,
        department=rng.choices(DEPARTMENTS, _DEPARTMENT_WEIGHTS)[0],
        cost=Decimal(rng.randrange(kind.cost[0] * 100, kind.cost[1] * 100)) / 100,
        acquired_on=TODAY - timedelta(days=rng.randrange(5 * 365)),
        serial_number=f"SN{serial * 7919 % 10**9:09d}",
        asset_tag=f"{tag_prefix}-{serial:08d}",
    )


def office(rng: random.Random) -> str:
    return rng.choice(OFFICES)


def three_years_after(day: date) -> date | None:
    """A warranty's end; None for 29 February, as if no warranty were recorded."""
    return None if (day.month, day.day) == (2, 29) else day.replace(year=day.year + 3)

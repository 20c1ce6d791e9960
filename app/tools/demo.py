"""`itam demo`: a realistic organisation's history (SPEC section 6).

An organisation of nine departments buys laptops, desktops, monitors, phones, tablets, servers,
network gear, printers and meeting-room AV from real vendors under an approval policy with
department budgets, then lives with them for five years: approvals (automatic and by people, some
waiting for a second approver), procurement with leases and warranties, deployments, reassignments,
returns, preventive maintenance and repairs, licence, support, energy and running costs,
corrections, and retirements with every disposition. Each asset ends in the state its drawn fate
asks for, so every state of the lifecycle is represented.

Deterministic: everything is drawn from ``random.Random(seed)`` in a fixed order, the asset ids
included, and every business date counts back from "today", the real UTC date when the command runs
(``--today`` fixes it). One seed on one day therefore writes the same assets, states, event types
and data; only what the store adds at write time differs (``recorded_at``, the hashes, and the run's
``request_id``/``correlation_id``). Asset tags carry the seed (``IT42-000001``), so that demo
organisations of different seeds can share one database (``--force``); a database that already
holds assets is refused without it, and one that holds the same seed's demo is refused always.

Business dates (acquired_on, completed_on, incurred_on, retired_on...) span five years, but every
event is recorded now: what reads ``recorded_at`` (request ages and approval lead times in
``/reports/requests``, the year an approved request commits its budget in) sees the history as
recorded on the day of the run.

Fast: every step is decided by the domain itself (``decisions.decide`` on the asset's fold), so a
refused step is a bug here, and ``app.service.bulk`` appends 500 assets' whole histories per
transaction. The policy is set first, in its own transaction, as ``PUT /policy`` would set it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import migrate
from app.api.schemas import PolicyBody
from app.db import analyze, create_engine
from app.domain import commands as cmd
from app.domain import events as ev
from app.domain.asset import AWAITING_SECOND_APPROVAL, Asset
from app.domain.calendar import add_months
from app.domain.decisions import Context, decide
from app.domain.lifecycle import State
from app.domain.money import CENT, ZERO
from app.domain.policy import POLICY_STREAM, Policy
from app.events.tables import events
from app.projections import inventory
from app.service import bulk, policies
from app.service.uow import UnitOfWork
from app.settings import get_settings

DEFAULT_ASSETS = 1000
DEFAULT_SEED = 42
BATCH = 500
YEARS = 5
SECOND_APPROVAL_ABOVE = 5000
REPLACEMENT_COST_RATIO = "0.5"
# Brownfield assets, owned before the ledger went live and registered on that day: most of them
# have been retired since.
REGISTERED_SHARE = 0.03
REGISTERED_SHARE_OF_RETIRED = 0.2
NEGLECTED_SHARE = 0.2  # assets whose preventive maintenance runs late, so some are overdue today
WARRANTY_ENDING_SHARE = 0.04  # assets with an extended warranty that runs out within 60 days
CORRECTED_SHARE = 0.07
REPAIRS_PER_YEAR = 0.15
MOVES_PER_YEAR = 0.2
SWAPS_PER_YEAR = 0.05  # returned to IT mid-life, then handed to someone else
UPGRADES_PER_YEAR = 0.12
_FOLDED_AT = datetime(2000, 1, 1, tzinfo=UTC)  # nothing here reads the times the fold takes from it


@dataclass(frozen=True)
class Running:
    """A cost that recurs while the asset is in use."""

    kind: cmd.CostKind
    low: int
    high: int
    every_days: int
    description: str


@dataclass(frozen=True)
class Category:
    name: str
    share: int
    models: tuple[tuple[str, str], ...]  # (vendor, model)
    cost: tuple[int, int]  # a usual estimate
    auto_approve_below: int | None
    max_cost: int | None
    useful_life_months: int
    maintenance_interval_days: int | None
    warranty_months: tuple[int, ...]
    weight_kg: tuple[int, int]
    running: tuple[Running, ...] = ()
    in_policy: bool = True  # a category the policy does not name always goes to a person
    leasable: bool = False
    infrastructure: bool = False  # the IT department's, in a data centre
    shared: bool = False  # the facilities department's, in an office


CATEGORIES = (
    Category(
        "laptop", 30,
        (("Dell", "Latitude 7440"), ("Lenovo", "ThinkPad T14 Gen 4"), ("Apple", "MacBook Pro 14 M3"),
         ("HP", "EliteBook 840 G10")),
        (900, 2600), 1500, 4000, 36, 365, (12, 24, 36), (1, 3),
        (Running("license", 120, 380, 365, "endpoint protection and office suite"),),
        leasable=True,
    ),
    Category(
        "desktop", 7,
        (("Dell", "OptiPlex 7010"), ("HP", "Elite Mini 800 G9"), ("Lenovo", "ThinkCentre M90q Gen 4")),
        (700, 1800), 1200, 3000, 48, 365, (12, 36), (2, 9),
        (Running("license", 90, 260, 365, "office suite"),),
        leasable=True,
    ),
    Category(
        "monitor", 18,
        (("Dell", "U2723QE"), ("LG", "27UP850-W"), ("Samsung", "ViewFinity S8")),
        (220, 900), 500, 1500, 60, None, (36,), (4, 8),
    ),
    Category(
        "phone", 15,
        (("Apple", "iPhone 15"), ("Samsung", "Galaxy S24"), ("Google", "Pixel 8")),
        (450, 1300), 900, 1600, 24, None, (12, 24), (0, 1),
        (Running("operating", 150, 330, 365, "mobile plan"),),
    ),
    Category(
        "tablet", 5,
        (("Apple", "iPad Air 11"), ("Samsung", "Galaxy Tab S9"), ("Microsoft", "Surface Pro 9")),
        (400, 1400), 800, 2000, 36, None, (12, 24), (0, 1),
        (Running("license", 30, 90, 365, "device management"),),
    ),
    Category(
        "server", 3,
        (("Dell", "PowerEdge R760"), ("HPE", "ProLiant DL380 Gen11"), ("Lenovo", "ThinkSystem SR650 V3")),
        (6000, 28000), None, 40000, 60, 90, (36, 60), (18, 32),
        (Running("support", 900, 3200, 365, "hardware support contract"),
         Running("energy", 150, 600, 91, "power and cooling")),
        infrastructure=True,
    ),
    Category(
        "network", 8,
        (("Cisco", "Catalyst 9300-48P"), ("Ubiquiti", "UniFi Switch Pro 48"), ("Fortinet", "FortiGate 100F"),
         ("Aruba", "AP-535")),
        (400, 9000), 1000, 15000, 60, 180, (12, 36, 60), (1, 9),
        (Running("support", 150, 1200, 365, "vendor support and firmware"),),
        infrastructure=True,
    ),
    Category(
        "printer", 4,
        (("HP", "LaserJet Enterprise M611dn"), ("Brother", "HL-L9310CDW"), ("Canon", "imageRUNNER C3226i")),
        (300, 4000), 600, 5000, 60, 120, (12, 36), (12, 75),
        (Running("operating", 80, 350, 182, "toner and paper"),),
        leasable=True, shared=True,
    ),
    Category(
        "av-equipment", 3,
        (("Logitech", "Rally Bar"), ("Poly", "Studio X50"), ("Neat", "Bar Pro")),
        (1500, 4500), None, None, 60, None, (24, 36), (3, 8),
        in_policy=False, shared=True,
    ),
)  # fmt: skip

# (name, share of people, budget as a multiple of what it asked for over the last year)
DEPARTMENTS = (
    ("engineering", 28, Decimal("1.2")),
    ("sales", 16, Decimal("0.9")),
    ("customer-support", 12, Decimal("1.1")),
    ("it", 12, Decimal("1.1")),
    ("marketing", 9, Decimal("1.15")),
    ("facilities", 8, Decimal("1.0")),
    ("finance", 7, Decimal("1.25")),
    ("people", 5, Decimal("1.3")),
    ("legal", 3, Decimal("0.75")),
)
SMALLEST_BUDGET = Decimal(5000)
OFFICES = ("London HQ", "Berlin office", "New York office", "Singapore office", "Remote")
DATA_CENTRES = ("FRA1 data centre", "IAD2 data centre")
STOREROOM = "IT storeroom, London HQ"
# The people who act on others' requests; none of them ever requests, so duties stay separate.
APPROVERS = ("dana.whitfield", "marcus.oyelaran", "priya.raman", "tomas.lindqvist", "helen.achebe")
PROCUREMENT = ("ines.moreau", "kwame.asante", "yuki.tanaka")
TECHNICIANS = ("sam.okafor", "lena.fischer", "raj.patel", "maria.gonzalez", "olu.bankole")
FIRST_NAMES = (
    "amelia", "noah", "olivia", "liam", "sofia", "mateo", "aisha", "yusuf", "mei", "hiroshi", "ana",
    "lucas", "zara", "omar", "chloe", "arjun", "freya", "diego", "nadia", "jonas", "elena", "kofi",
    "ingrid", "tariq", "clara", "ravi", "leah", "emeka", "sara", "felix", "grace", "ivan", "hana",
    "marco", "esther", "wei", "fatima", "erik", "julia", "samuel",
)  # fmt: skip
LAST_NAMES = (
    "khan", "smith", "garcia", "mueller", "rossi", "nguyen", "kim", "silva", "novak", "haddad",
    "johansson", "okeke", "dubois", "sato", "kowalski", "ahmed", "brown", "jensen", "moreno", "chen",
    "petrov", "mensah", "larsen", "costa", "ibrahim", "wright", "fernandes", "yilmaz", "murphy", "singh",
)  # fmt: skip

JUSTIFICATIONS = (
    "new hire",
    "replacement for a failing device",
    "current device is past its useful life",
    "project need",
    "growth of the team",
    "standard refresh cycle",
)
APPROVAL_COMMENTS = ("approved", "ok, standard catalogue item", "approved within the team budget", None)
REJECTION_REASONS = (
    "duplicate request",
    "a spare from stock was issued instead",
    "budget freeze this quarter",
    "please choose a model from the standard catalogue",
    "the current device is still within its useful life",
)
MOVE_REASONS = ("team change", "desk move", "handed over to a colleague", "office move")
RETURN_REASONS = ("leaver", "role change", "no longer needed", "swapped for a replacement")
REPAIRS = ("battery replacement", "screen replacement", "fan failure", "power supply failure", "port repair")
UPGRADES = ("memory upgrade", "storage upgrade", "firmware update", "operating system upgrade")
OPEN_MAINTENANCE: tuple[cmd.MaintenanceKind, ...] = ("repair", "upgrade", "software_update")
CHANGES: tuple[cmd.MaintenanceKind, ...] = ("upgrade", "software_update")
NOTES = {
    "preventive": "cleaned, inspected, firmware current, checks passed",
    "repair": "part replaced and tested",
    "upgrade": "upgraded and tested",
    "software_update": "patched and rebooted",
}

PENDING = "pending"
AWAITING_SECOND = "awaiting-second-approval"
APPROVED = "approved"
REJECTED_BY_POLICY = "rejected-by-policy"
REJECTED_BY_PERSON = "rejected-by-person"
IN_STOCK = "in-stock"
RETURNED = "returned"
DEPLOYED = "deployed"
MAINTAINED = "maintained"
RETIRED = "retired:"  # followed by the disposition
# Per mille; the first assets get one fate each, so that even a small demo shows all of them.
FATES: tuple[tuple[str, int], ...] = (
    (PENDING, 20),
    (AWAITING_SECOND, 8),
    (APPROVED, 20),
    (REJECTED_BY_POLICY, 18),
    (REJECTED_BY_PERSON, 17),
    (IN_STOCK, 40),
    (RETURNED, 20),
    (DEPLOYED, 537),
    (MAINTAINED, 40),
    (RETIRED + "refurbish", 50),
    (RETIRED + "remarket", 60),
    (RETIRED + "recycle", 80),
    (RETIRED + "donate", 40),
    (RETIRED + "destroy", 50),
)
# What retiring recovers, as a share of the purchase cost (low, high, in per mille).
RECOVERY = {
    "refurbish": (40, 150),
    "remarket": (80, 300),
    "recycle": (0, 20),
    "donate": (0, 0),
    "destroy": (0, 0),
}
_ENDS_AS_REQUEST = (PENDING, AWAITING_SECOND, APPROVED, REJECTED_BY_POLICY, REJECTED_BY_PERSON)


@dataclass
class Life:
    """What holds for one stretch of an asset's time in service."""

    until: date
    lateness: float  # how late its preventive maintenance runs, as a multiple of the interval
    prices: list[Decimal]  # of its running costs, at the next renewal


class Refused(Exception):
    """The database is not one the demo may fill as asked."""


@dataclass(frozen=True)
class Person:
    login: str
    department: str
    location: str


@dataclass(frozen=True)
class Sketch:
    """What is decided about an asset before its history is told: its fate and its first day."""

    asset_id: uuid.UUID
    fate: str
    category: Category
    vendor: str
    model: str
    department: str
    estimate: Decimal
    start: date  # the request, or for a registered asset the day the ledger went live
    registered: bool
    requester: Person


class Track:
    """One asset's history in the making. Each step is decided at once on the asset's fold, so the
    generator sees what the policy and the machine made of it before it chooses the next."""

    def __init__(self, asset_id: uuid.UUID, policy: Policy, metadata: dict[str, Any]):
        self.asset = Asset(id=asset_id)
        self.policy = policy
        self.history = bulk.History(asset_id, metadata=metadata)
        self.day = date.min

    def do(
        self, command: cmd.Command, actor: str, day: date, budget_used: Decimal = ZERO
    ) -> list[ev.NewEvent]:
        assert day >= self.day, f"{command.trigger} on {day} after a step on {self.day}"
        ctx = Context.under(self.policy, actor=actor, today=day, budget_used=budget_used)
        new = decide(self.asset, command, ctx)
        for event in new:
            self.asset.apply(ev.RecordedEvent(event.type, event.data, self.asset.version + 1, _FOLDED_AT))
        self.history.steps.append(bulk.Step(command, ctx))
        self.day = day
        return new


def tag_prefix(seed: int) -> str:
    """Asset tags carry the seed, so that demos of different seeds never claim the same tag."""
    return f"IT{seed}-"


def _cents(amount: Decimal, low: int, high: int, rng: random.Random) -> Decimal:
    """``amount`` times a factor drawn between low and high per mille, in cents."""
    return (amount * rng.randint(low, high) / 1000).quantize(CENT)


class Organisation:
    """The demo's world: its people, its policy, and the story of each asset."""

    def __init__(self, seed: int, assets: int, today: date):
        self.rng = random.Random(seed)
        # Drawn first, so that a seed's first assets keep their ids whatever the number of assets.
        self.asset_ids = [uuid.UUID(int=self.rng.getrandbits(128), version=4) for _ in range(assets)]
        self.seed = seed
        self.size = assets
        self.today = today
        self.went_live = add_months(today, -12 * YEARS)
        self.span = (today - self.went_live).days
        self.people = self._hire()
        self.used: defaultdict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self.counters: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()

    # The cast and the rules

    def _hire(self) -> dict[str, list[Person]]:
        rng = self.rng
        staff = set(APPROVERS + PROCUREMENT + TECHNICIANS)
        taken: set[str] = set()
        people: dict[str, list[Person]] = {}
        for department, share, _ in DEPARTMENTS:
            count = max(4, round(self.size * share / 100 / 2.2))
            members = []
            for _ in range(count):
                login = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}"
                unique, n = login, 1
                while unique in taken or unique in staff:
                    n += 1
                    unique = f"{login}{n}"
                taken.add(unique)
                office = rng.choices(OFFICES, weights=(35, 20, 20, 10, 15))[0]
                members.append(Person(unique, department, office))
            people[department] = members
        return people

    def policy_document(self, sketches: list[Sketch]) -> dict[str, Any]:
        """The policy, with each department's budget sized on what it asked for over the last year."""
        last_year: defaultdict[str, Decimal] = defaultdict(Decimal)
        for s in sketches:
            if not s.registered and s.fate not in _ENDS_AS_REQUEST and (self.today - s.start).days < 365:
                last_year[s.department] += s.estimate
        budgets = {
            name: max(SMALLEST_BUDGET, (last_year[name] * factor).quantize(Decimal("1E3")))
            for name, _, factor in DEPARTMENTS
        }
        categories = {
            c.name: {
                "auto_approve_below": c.auto_approve_below,
                "max_cost": c.max_cost,
                "useful_life_months": c.useful_life_months,
                "maintenance_interval_days": c.maintenance_interval_days,
            }
            for c in CATEGORIES
            if c.in_policy
        }
        return {
            "categories": categories,
            "closed_categories": False,
            "department_budgets": budgets,
            "replacement_cost_ratio": REPLACEMENT_COST_RATIO,
            "second_approval_above": SECOND_APPROVAL_ABOVE,
        }

    # Sketches: fate, category, department, estimate and first day of every asset

    def sketches(self) -> list[Sketch]:
        names = [name for name, _ in FATES]
        weights = [weight for _, weight in FATES]
        drawn = []
        for index, asset_id in enumerate(self.asset_ids):
            fate = names[index] if index < len(names) else self.rng.choices(names, weights)[0]
            drawn.append(self._sketch(asset_id, fate, forced=index < len(names)))
        return drawn

    def _sketch(self, asset_id: uuid.UUID, fate: str, *, forced: bool) -> Sketch:
        rng = self.rng
        if fate == AWAITING_SECOND:
            candidates = [c for c in CATEGORIES if (c.max_cost or 0) > SECOND_APPROVAL_ABOVE]
        elif fate == REJECTED_BY_POLICY:
            candidates = [c for c in CATEGORIES if c.max_cost is not None]
        else:
            candidates = list(CATEGORIES)
        category = rng.choices(candidates, [c.share for c in candidates])[0]
        vendor, model = rng.choice(category.models)
        if category.infrastructure:
            department = "it"
        elif category.shared:
            department = "facilities"
        else:
            department = rng.choices([d for d, _, _ in DEPARTMENTS], [s for _, s, _ in DEPARTMENTS])[0]
        requester = rng.choice(self.people[department])
        share = REGISTERED_SHARE_OF_RETIRED if fate.startswith(RETIRED) else REGISTERED_SHARE
        registered = not forced and fate not in _ENDS_AS_REQUEST and rng.random() < share
        return Sketch(
            asset_id=asset_id,
            fate=fate,
            category=category,
            vendor=vendor,
            model=model,
            department=department,
            estimate=self._estimate(fate, category),
            start=self.went_live if registered else self.today - timedelta(days=self._age(fate, category)),
            registered=registered,
            requester=requester,
        )

    def _estimate(self, fate: str, c: Category) -> Decimal:
        low, high = c.cost
        if fate == REJECTED_BY_POLICY and c.max_cost is not None:
            low, high = c.max_cost + 1, c.max_cost * 3 // 2
        elif fate == AWAITING_SECOND:
            low, high = SECOND_APPROVAL_ABOVE + 1, max(high, SECOND_APPROVAL_ABOVE * 2)
        elif fate == PENDING and c.auto_approve_below is not None:
            # Not below the automatic limit, so it waits for a person.
            low, high = max(low, c.auto_approve_below), max(high, c.auto_approve_below)
        if c.max_cost is not None and fate != REJECTED_BY_POLICY:
            high = min(high, c.max_cost)
        return Decimal(self.rng.randint(low, high))

    def _age(self, fate: str, c: Category) -> int:
        """How many days before today the asset was requested."""
        rng, span = self.rng, self.span
        ages = {
            PENDING: (0, 45),
            AWAITING_SECOND: (0, 20),
            APPROVED: (2, 30),
            IN_STOCK: (15, 150),
            RETURNED: (200, span),
        }
        if fate in ages:
            low, high = ages[fate]
            return rng.randint(low, high)
        if fate.startswith(RETIRED):
            return rng.randint(400, span)
        if fate in (DEPLOYED, MAINTAINED):
            # Fleets are refreshed: most assets in use are within their useful life, some past it.
            life = c.useful_life_months * 30.4
            return min(span, max(30, int(life * 1.3 * rng.random())))
        return rng.randint(0, span)

    # Histories

    def histories(self, sketches: list[Sketch], policy: Policy, metadata: dict[str, Any]) -> Iterator[Track]:
        """Every asset's history, told in the order of the first days (so budgets fill up in time)."""
        for s in sorted(sketches, key=lambda s: s.start):
            track = Track(s.asset_id, policy, metadata)
            self._tell(track, s)
            yield track

    def _tell(self, t: Track, s: Sketch) -> None:
        if s.registered:
            self._register(t, s)
        else:
            approved_on = self._request(t, s)
            if approved_on is None or s.fate == APPROVED:
                return
            self._procure(t, s, approved_on)
            if s.fate == IN_STOCK:
                return
            owner, location = self._placement(s)
            t.do(cmd.Deploy(owner=owner, location=location), self._technician(), self._after(t.day, 1, 10))
        if t.asset.state is not State.DEPLOYED:
            return  # registered into stock
        self._finish(t, s)

    def _finish(self, t: Track, s: Sketch) -> None:
        rng, today = self.rng, self.today
        if s.fate == DEPLOYED:
            self._live(t, s, today)
        elif s.fate == MAINTAINED:
            starts = max(today - timedelta(days=rng.randint(0, 12)), t.day)
            self._live(t, s, starts)
            t.do(self._maintenance(rng.choice(OPEN_MAINTENANCE)), self._technician(), starts)
        elif s.fate == RETURNED:
            back = max(today - timedelta(days=rng.randint(0, 90)), min(t.day + timedelta(days=30), today))
            self._live(t, s, back)
            t.do(cmd.Return(location=STOREROOM, reason=rng.choice(RETURN_REASONS)), self._technician(), back)
        else:
            self._retire(t, s)

    def _request(self, t: Track, s: Sketch) -> date | None:
        """Requests the asset and sees it through approval: the day it was approved, or None when
        its story ends before procurement."""
        rng, day, dept = self.rng, s.start, s.department
        request = cmd.RequestAsset(
            category=s.category.name,
            model=s.model,
            department=dept,
            estimated_cost=s.estimate,
            justification=rng.choice(JUSTIFICATIONS),
            needed_by=day + timedelta(days=rng.randint(14, 45)),
        )
        decided = t.do(request, s.requester.login, day, budget_used=self.used[(dept, day.year)])
        if t.asset.state is State.REJECTED:
            self.notes["rejected by the policy"] += 1
            return None
        if t.asset.state is State.APPROVED:
            self.notes["approved by the policy"] += 1
        elif "budget" in (decided[0].data.get("pending_reason") or ""):
            self.notes["held for a person by the budget rule"] += 1
        if s.fate == PENDING:
            return None
        approvers = list(APPROVERS)
        rng.shuffle(approvers)
        if s.fate == REJECTED_BY_PERSON:
            t.do(cmd.Reject(reason=rng.choice(REJECTION_REASONS)), approvers[0], self._after(day, 0, 4))
            self.notes["rejected by a person"] += 1
            return None
        if t.asset.state is State.REQUESTED:
            t.do(cmd.Approve(comment=rng.choice(APPROVAL_COMMENTS)), approvers[0], self._after(day, 0, 4))
            if t.asset.pending_reason == AWAITING_SECOND_APPROVAL:
                if s.fate == AWAITING_SECOND:
                    return None
                second = cmd.Approve(comment=rng.choice(APPROVAL_COMMENTS))
                t.do(second, approvers[1], self._after(t.day, 0, 3))
            self.notes["approved by people"] += 1
        self.used[(dept, t.day.year)] += s.estimate
        return t.day

    def _terms(self, s: Sketch, acquired_on: date, cost: Decimal) -> dict[str, Any]:
        rng, c = self.rng, s.category
        financing: cmd.Financing | None = None
        lease_end = None
        if c.leasable and rng.random() < 0.15:
            financing, lease_end = "lease", add_months(acquired_on, 48 if c.shared else 36)
        elif rng.random() < 0.05:
            financing = "finance"
        self.counters["tag"] += 1
        return {
            "purchase_cost": cost,
            "acquired_on": acquired_on,
            "vendor": s.vendor,
            "financing": financing,
            "lease_end": lease_end,
            "warranty_expires": self._warranty(c, acquired_on),
            "serial_number": f"{s.vendor[:3].upper()}{rng.getrandbits(40):010X}",
            "asset_tag": f"{tag_prefix(self.seed)}{self.counters['tag']:06d}",
            "useful_life_months": None if c.in_policy else c.useful_life_months,
            "residual_value": _cents(cost, 40, 60, rng) if c.infrastructure else None,
        }

    def _warranty(self, c: Category, acquired_on: date) -> date:
        rng = self.rng
        ends = add_months(acquired_on, rng.choice(c.warranty_months))
        if rng.random() < WARRANTY_ENDING_SHARE and acquired_on < self.today - timedelta(days=90):
            ends = self.today + timedelta(days=rng.randint(0, 59))
        return ends

    def _procure(self, t: Track, s: Sketch, approved_on: date) -> None:
        rng = self.rng
        day = self._after(approved_on, 2, 21)
        cost = _cents(s.estimate, 880, 1040, rng)
        self.counters["order"] += 1
        order = f"PO-{day.year}-{self.counters['order']:05d}"
        t.do(cmd.Procure(order_number=order, **self._terms(s, day, cost)), rng.choice(PROCUREMENT), day)
        self.used[(s.department, approved_on.year)] -= s.estimate
        self.used[(s.department, day.year)] += cost
        if rng.random() < 0.25:
            shipping = cmd.RecordCost(
                kind="other",
                amount=_cents(Decimal(100), 150, 900, rng),
                description="shipping and accessories",
            )
            t.do(shipping, rng.choice(PROCUREMENT), day)

    def _register(self, t: Track, s: Sketch) -> None:
        """A brownfield asset: owned before the ledger, registered on the day it went live."""
        rng = self.rng
        acquired = self.went_live - timedelta(days=rng.randint(30, 1100))
        terms = self._terms(s, acquired, _cents(s.estimate, 880, 1040, rng))
        owner = location = None
        if s.fate != IN_STOCK:
            owner, location = self._placement(s)
        register = cmd.RegisterAsset(
            category=s.category.name,
            model=s.model,
            department=s.department,
            owner=owner,
            location=location,
            description="registered when the ledger went live",
            **terms,
        )
        t.do(register, rng.choice(PROCUREMENT), self.went_live)

    def _placement(self, s: Sketch, *, not_owner: str | None = None) -> tuple[str, str]:
        """Who has the asset and where: its requester, unless it is shared, infrastructure, or
        changing hands."""
        rng, team = self.rng, self.people[s.department]
        person = s.requester
        if not_owner is not None or s.category.infrastructure or s.category.shared:
            person = rng.choice(team)
            while person.login == not_owner and len(team) > 1:
                person = rng.choice(team)
        return person.login, self._site(s.category, person)

    def _site(self, c: Category, person: Person) -> str:
        if c.infrastructure and (c.name == "server" or self.rng.random() < 0.5):
            return self.rng.choice(DATA_CENTRES)
        if c.infrastructure or c.shared:
            return self.rng.choice(OFFICES[:-1])
        return person.location

    # A life in service: maintenance, costs, moves, returns and corrections until ``until``

    def _live(self, t: Track, s: Sketch, until: date) -> None:
        rng, c, since = self.rng, s.category, t.day
        life = Life(
            until=until,
            lateness=rng.uniform(1.3, 2.5) if rng.random() < NEGLECTED_SHARE else 1.0,
            # A subscription's price is set once and rises a little at each renewal.
            prices=[Decimal(rng.randint(r.low * 100, r.high * 100)).scaleb(-2) for r in c.running],
        )
        upcoming: dict[str, date] = {}
        if c.maintenance_interval_days:
            upcoming["service"] = since + self._interval(c.maintenance_interval_days * life.lateness)
        upcoming["repair"] = since + self._wait(REPAIRS_PER_YEAR)
        if c.name in ("laptop", "desktop", "server", "network"):
            upcoming["upgrade"] = since + self._wait(UPGRADES_PER_YEAR)
        for index, _ in enumerate(c.running):
            upcoming[f"cost{index}"] = since + timedelta(days=rng.randint(0, 30))
        upcoming["move"] = since + self._wait(MOVES_PER_YEAR)
        upcoming["swap"] = since + self._wait(SWAPS_PER_YEAR)
        if rng.random() < CORRECTED_SHARE:
            upcoming["correct"] = since + timedelta(days=rng.randint(0, max(0, (until - since).days)))
        while upcoming:
            what = min(upcoming, key=lambda name: upcoming[name])
            day = max(upcoming[what], t.day)
            if day > until:
                return
            following = self._act(t, s, life, what, day)
            if following is None:
                del upcoming[what]
            else:
                upcoming[what] = following

    def _act(self, t: Track, s: Sketch, life: Life, what: str, day: date) -> date | None:
        """Does one thing to a deployed asset on ``day``; returns when to do it again, or None."""
        rng, c = self.rng, s.category
        if what in ("service", "repair", "upgrade"):
            return self._maintain(t, s, life, what, day)
        if what.startswith("cost"):
            index = int(what.removeprefix("cost"))
            running, amount = c.running[index], life.prices[index]
            cost = cmd.RecordCost(kind=running.kind, amount=amount, description=running.description)
            t.do(cost, rng.choice(PROCUREMENT), day)
            life.prices[index] = _cents(amount, 1000, 1050, rng)
            return day + timedelta(days=running.every_days + rng.randint(-3, 3))
        if what == "move":
            self._move(t, s, day)
            return day + self._wait(MOVES_PER_YEAR)
        if what == "swap":
            again = day + timedelta(days=rng.randint(3, 40))
            if again <= life.until:
                t.do(
                    cmd.Return(location=STOREROOM, reason=rng.choice(RETURN_REASONS)), self._technician(), day
                )
                owner, location = self._placement(s, not_owner=t.asset.owner)
                t.do(cmd.Deploy(owner=owner, location=location), self._technician(), again)
            return None
        self._correct(t, s, day)
        return None

    def _maintain(self, t: Track, s: Sketch, life: Life, what: str, day: date) -> date | None:
        """A service, repair or upgrade from start to completion; when the next one of its kind is."""
        rng, c = self.rng, s.category
        kind: cmd.MaintenanceKind = "preventive" if what == "service" else "repair"
        if what == "upgrade":
            kind = rng.choice(CHANGES)
        done = day + timedelta(days=rng.randint(0, 2) if kind == "preventive" else rng.randint(1, 10))
        if done > life.until:
            return None
        technician = self._technician()
        start = self._maintenance(kind)
        t.do(start, technician, day)
        cost = self._maintenance_cost(t.asset, c, kind)
        t.do(cmd.CompleteMaintenance(cost=cost, notes=NOTES[kind]), technician, done)
        if what == "service":
            assert c.maintenance_interval_days is not None
            return done + self._interval(c.maintenance_interval_days * life.lateness)
        acquired = t.asset.acquired_on
        aged = acquired is not None and add_months(acquired, c.useful_life_months) < done
        rate = REPAIRS_PER_YEAR if what == "repair" else UPGRADES_PER_YEAR
        return done + self._wait(rate * (3 if aged else 1))

    def _move(self, t: Track, s: Sketch, day: date) -> None:
        rng, asset = self.rng, t.asset
        if rng.random() < 0.4:
            # Same hands, another place (a user's own device follows them to another office).
            location = self._site(s.category, Person("", s.department, rng.choice(OFFICES)))
            move = cmd.Reassign(location=location, reason="office move")
        else:
            owner, location = self._placement(s, not_owner=asset.owner)
            move = cmd.Reassign(owner=owner, location=location, reason=rng.choice(MOVE_REASONS))
        if move.owner in (None, asset.owner) and move.location in (None, asset.location):
            return  # nowhere else to go
        t.do(move, self._technician(), day)

    def _correct(self, t: Track, s: Sketch, day: date) -> None:
        rng = self.rng
        choice = rng.randrange(4)
        if choice == 0:
            changes = {"serial_number": f"{s.vendor[:3].upper()}{rng.getrandbits(40):010X}"}
            reason = "serial number mistyped at intake"
        elif choice == 1:
            self.counters["tag"] += 1
            changes = {"asset_tag": f"{tag_prefix(self.seed)}{self.counters['tag']:06d}"}
            reason = "tag label damaged and replaced"
        elif choice == 2:
            changes = {"description": f"{s.model}, configured for {t.asset.owner or 'stock'}"}
            reason = "configuration details added"
        else:
            others = [name for name, _, _ in DEPARTMENTS if name != t.asset.department]
            changes = {"department": rng.choice(others)}
            reason = "charged to the wrong department"
        t.do(cmd.Correct(changes=changes, reason=reason), self._technician(), day)

    def _retire(self, t: Track, s: Sketch) -> None:
        rng, today, c = self.rng, self.today, s.category
        disposition = cast(cmd.Disposition, s.fate.removeprefix(RETIRED))
        deployed_on = t.asset.deployed_on or t.day
        life = timedelta(days=int(c.useful_life_months * 30.4 * rng.uniform(0.5, 1.4)))
        last_day = today - timedelta(days=rng.randint(0, 30))
        retire_on = min(max(deployed_on + life, t.day + timedelta(days=30)), last_day)
        retire_on = min(max(retire_on, t.day), today)
        if rng.random() < 0.5:
            returned = max(retire_on - timedelta(days=rng.randint(1, 20)), t.day)
            self._live(t, s, returned)
            # Racked equipment is decommissioned where it stands; the rest comes back to IT.
            where = None if c.infrastructure else STOREROOM
            t.do(cmd.Return(location=where, reason="end of life"), self._technician(), returned)
        else:
            self._live(t, s, retire_on)
        cost = t.asset.purchase_cost or ZERO
        low, high = RECOVERY[disposition]
        self.counters["certificate"] += 1
        number = f"{retire_on.year}-{self.counters['certificate']:05d}"
        retire = cmd.Retire(
            disposition=disposition,
            recovered_value=_cents(cost, low, high, rng),
            data_sanitized=disposition != "destroy",
            sanitization_certificate=f"{'DST' if disposition == 'destroy' else 'SAN'}-{number}",
            weight_kg=Decimal(rng.randint(c.weight_kg[0] * 10 + 1, c.weight_kg[1] * 10)).scaleb(-1),
        )
        t.do(retire, self._technician(), retire_on)

    # Small draws

    def _maintenance(self, kind: cmd.MaintenanceKind) -> cmd.StartMaintenance:
        self.counters["ticket"] += 1
        ticket = f"{'CHG' if kind in ('upgrade', 'software_update') else 'INC'}-{self.counters['ticket']:06d}"
        descriptions = {
            "preventive": "scheduled preventive maintenance",
            "repair": self.rng.choice(REPAIRS),
            "upgrade": self.rng.choice(UPGRADES),
            "software_update": "firmware and operating system patches",
        }
        return cmd.StartMaintenance(kind=kind, description=descriptions[kind], ticket=ticket)

    def _maintenance_cost(self, asset: Asset, c: Category, kind: cmd.MaintenanceKind) -> Decimal:
        """A service costs a flat fee; repairs and upgrades cost a share of what the asset cost."""
        rng = self.rng
        if kind in ("repair", "upgrade"):
            low, high = (50, 300) if kind == "repair" else (50, 200)
            return _cents(asset.purchase_cost or ZERO, low, high, rng)
        low, high = (40, 250) if kind == "preventive" else (0, 80)
        scale = 3 if c.infrastructure else 1
        return Decimal(rng.randint(low * 100, high * 100 * scale)).scaleb(-2)

    def _technician(self) -> str:
        return self.rng.choice(TECHNICIANS)

    def _after(self, day: date, low: int, high: int) -> date:
        return min(self.today, day + timedelta(days=self.rng.randint(low, high)))

    def _wait(self, per_year: float) -> timedelta:
        return timedelta(days=max(1, int(self.rng.expovariate(per_year) * 365)))

    def _interval(self, days: float) -> timedelta:
        return timedelta(days=max(1, int(days * self.rng.uniform(0.85, 1.15))))


# Running it


@dataclass
class Summary:
    assets: int = 0
    events: int = 0
    seconds: float = 0.0
    states: Counter[str] = field(default_factory=Counter)
    dispositions: Counter[str] = field(default_factory=Counter)
    awaiting_second: int = 0
    notes: Counter[str] = field(default_factory=Counter)


async def _refuse_unless_free(engine: AsyncEngine, org: Organisation, force: bool) -> None:
    """Refuses a database that holds assets, unless forced; even then, one that holds this seed's."""
    others = sa.select(events.c.asset_id).where(events.c.asset_id != POLICY_STREAM).limit(1)
    mine = sa.select(events.c.asset_id).where(events.c.asset_id.in_(org.asset_ids[:1]))
    table = inventory.assets
    tagged = sa.select(table.c.id).where(table.c.asset_tag.startswith(tag_prefix(org.seed), autoescape=True))
    async with engine.connect() as conn:
        if (await conn.execute(others)).first() is None:
            return
        if not force:
            raise Refused(
                "the database already holds assets; the demo fills an empty one "
                "(--force adds a demo organisation beside them)"
            )
        if (await conn.execute(mine)).first() or (await conn.execute(tagged.limit(1))).first():
            raise Refused(f"the demo of seed {org.seed} is already in this database; choose another --seed")


async def fill(database_url: str, assets: int, seed: int, today: date, *, force: bool = False) -> Summary:
    """Writes the demo organisation into a migrated database and says what it wrote."""
    from tqdm import tqdm

    started = time.perf_counter()
    org = Organisation(seed, assets, today)
    sketches = org.sketches()
    run = uuid.uuid4().hex
    metadata = {
        "actor": "demo",
        "request_id": run,
        "correlation_id": run,
        "causation_id": None,
        "idempotency_key": None,
    }
    currency = get_settings().currency
    engine = create_engine(database_url, statement_timeout=None)
    summary = Summary()
    try:
        await _refuse_unless_free(engine, org, force)
        document = PolicyBody(**org.policy_document(sketches)).document(currency)
        async with UnitOfWork(engine) as uow:
            change = await policies.change_policy(uow, document, metadata)
            await uow.commit()
        policy = Policy.from_document(change.version, change.data)
        with tqdm(total=assets, desc="itam demo", unit=" assets", file=sys.stderr) as bar:
            batch: list[bulk.History] = []
            for track in org.histories(sketches, policy, metadata):
                batch.append(track.history)
                if len(batch) == BATCH:
                    summary.events += await _write(engine, batch, summary)
                    bar.update(len(batch))
                    batch = []
            if batch:
                summary.events += await _write(engine, batch, summary)
                bar.update(len(batch))
        await analyze(engine, bulk.TABLES)
    finally:
        await engine.dispose()
    summary.assets = assets
    summary.notes = org.notes
    summary.seconds = time.perf_counter() - started
    return summary


async def _write(engine: AsyncEngine, batch: list[bulk.History], summary: Summary) -> int:
    """One transaction: the batch's streams and their projection rows, all or nothing."""
    async with UnitOfWork(engine) as uow:
        written = await bulk.write(uow, batch)
        await uow.commit()
    for asset in written:
        summary.states[asset.state.value if asset.state else "none"] += 1
        if asset.disposition:
            summary.dispositions[asset.disposition] += 1
        if asset.pending_reason == AWAITING_SECOND_APPROVAL:
            summary.awaiting_second += 1
    return sum(asset.version for asset in written)


def _report(summary: Summary, seed: int, today: date) -> str:
    states, dispositions = summary.states, summary.dispositions
    rate = summary.events / summary.seconds if summary.seconds > 0 else 0.0
    by_state = ", ".join(f"{s.value} {states[s.value]:,}" for s in State)
    by_disposition = ", ".join(f"{d} {dispositions[d]:,}" for d in cmd.DISPOSITIONS)
    notes = ", ".join(f"{what} {n:,}" for what, n in sorted(summary.notes.items()))
    return (
        f"itam demo: {summary.assets:,} assets of seed {seed}, business dates up to {today.isoformat()}; "
        f"{summary.events:,} events in {summary.seconds:.2f} s ({rate:,.0f} events/s)\n"
        f"  by state: {by_state} ({summary.awaiting_second:,} requested ones await a second approver)\n"
        f"  retired by disposition: {by_disposition}\n"
        f"  requests: {notes}"
    )


def cmd_demo(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    today: date = args.today or datetime.now(UTC).date()
    migrate.upgrade(url)
    try:
        summary = asyncio.run(fill(url, args.assets, args.seed, today, force=args.force))
    except Refused as exc:
        print(f"itam demo: {exc}", file=sys.stderr)
        return 1
    print(_report(summary, args.seed, today), file=sys.stderr)
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_parsers(verbs: Any) -> None:
    """Adds the demo verb to the `itam` parser's subparsers."""
    demo = verbs.add_parser(
        "demo",
        help="fill the database with a realistic organisation's history",
        description="Fills the database with a realistic organisation's history, the same for a seed "
        "on a given day; business dates count back from today (UTC).",
    )
    demo.add_argument("--assets", type=_count, default=DEFAULT_ASSETS, help="how many assets (default 1000)")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the random seed (default 42)")
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the day business dates count back from (YYYY-MM-DD; default: today in UTC)",
    )
    demo.add_argument(
        "--force", action="store_true", help="add the demo even though the database already holds assets"
    )
    demo.set_defaults(run=cmd_demo)

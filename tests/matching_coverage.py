"""The most people who can have a place, computed independently of the solver (a
maximum flow with networkx), for the tests and the benchmark."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from service.matching.model import Problem
from service.matching.rules import first_broken_rule


def most_people_placeable(problem: Problem) -> int:
    """The most people who can have at least one place: people with pins have theirs;
    the others by a maximum flow from people through the slots each may take alone
    (every rule for the pair holds, and the slot fits beside no pins) to the places
    left beside the pins."""
    slots = {s.id: s for s in problem.slots}
    at_site: dict[int, list[int]] = {}
    for slot in problem.slots:
        at_site.setdefault(slot.site_id, []).append(slot.id)
    pinned = Counter(s for p in problem.people for s in p.pinned if s in slots)
    graph = nx.DiGraph()
    with_pins = 0
    for person in problem.people:
        if any(s in slots for s in person.pinned):
            with_pins += 1
            continue
        if person.max_per_day < 1:
            continue
        for site in person.sites:
            for slot_id in at_site.get(site, []):
                if first_broken_rule(person, slots[slot_id]) is None:
                    graph.add_edge("source", ("p", person.id), capacity=1)
                    graph.add_edge(("p", person.id), ("s", slot_id), capacity=1)
    for slot_id, slot in slots.items():
        left = max(slot.capacity, pinned[slot_id]) - pinned[slot_id]
        if graph.has_node(("s", slot_id)) and left > 0:
            graph.add_edge(("s", slot_id), "sink", capacity=left)
    if not graph.has_node("source") or not graph.has_node("sink"):
        return with_pins
    return with_pins + int(nx.maximum_flow_value(graph, "source", "sink"))

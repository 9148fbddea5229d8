"""The built-in iraq-2025 scenario encodes the analyst's brief, number for number."""

from __future__ import annotations

import pytest

from tightrope.scenario import dump_yaml, parse_scenario
from tightrope.scenario.builtin import builtin_ids, builtin_text, load_builtin, source_text
from tightrope.scenario.provenance import claims_used, number_records

BRIEF_TABLE = {
    # actor: capability, (disarmament pos, sal), (iran_ties pos, sal), (us_pressure pos, sal)
    "us_admin": (90, (100, 0.8), (100, 0.9), (70, 0.6)),
    "us_congress_hawks": (20, (100, 0.5), (100, 0.6), (90, 0.7)),
    "iraq_gov": (50, (35, 0.7), (40, 0.6), (0, 0.9)),
    "coordination_framework": (60, (10, 0.8), (20, 0.7), (0, 0.8)),
    "iran": (70, (0, 0.9), (0, 1.0), (0, 0.6)),
    "hardline_factions": (35, (0, 1.0), (0, 0.9), (20, 0.3)),
    "political_factions": (30, (15, 0.8), (10, 0.6), (0, 0.5)),
    "sadrists": (25, (60, 0.6), (50, 0.5), (0, 0.4)),
    "krg": (15, (80, 0.6), (80, 0.5), (20, 0.5)),
    "sunni_parties": (15, (70, 0.5), (70, 0.4), (20, 0.3)),
    "israel": (30, (100, 0.6), (100, 0.5), (100, 0.4)),
}
ISSUES = ("militia_disarmament", "iran_ties", "us_pressure")
EVENTS = {
    "israel_escalation",
    "militia_campaign",
    "us_casualties",
    "bank_sanctions",
    "oil_restriction",
    "us_strikes",
    "iran_approval",
    "disarmament_plan",
    "iran_energy_halt",
}
QUESTIONS = {
    "q1_oil_restriction",
    "q2_us_strikes",
    "q3_militia_campaign",
    "q4_disarmament_plan",
    "q5_more_banks",
    "q6_energy_halt",
    "q7_alignment",
    "q8_max_ladder",
    "q9_disarmament_settlement",  # not in the brief: the coupled bargaining's own question
}

scenario = load_builtin("iraq-2025")


def test_identifiers_are_those_of_the_brief() -> None:
    assert builtin_ids() == ["iraq-2025"]
    assert scenario.id == "iraq-2025"
    assert [actor.id for actor in scenario.actors] == list(BRIEF_TABLE)
    assert tuple(issue.id for issue in scenario.issues) == ISSUES
    assert {event.id for event in scenario.events} == EVENTS
    assert {question.id for question in scenario.questions} == QUESTIONS
    assert scenario.horizon_months == 12


@pytest.mark.parametrize("actor_id", list(BRIEF_TABLE))
def test_positions_saliences_and_capabilities_match_the_brief(actor_id: str) -> None:
    capability, *stances = BRIEF_TABLE[actor_id]
    actor = scenario.actor(actor_id)
    assert actor.capability.estimate == capability
    assert actor.capability.support == pytest.approx((capability * 0.7, capability * 1.3))
    assert actor.capability.judgment
    for issue_id, (position, salience) in zip(ISSUES, stances, strict=True):
        stance = scenario.positions[issue_id][actor_id]
        assert stance.position.estimate == position
        assert stance.salience.estimate == salience
        # ±15 on positions and ±0.15 on saliences, clipped to the scale.
        assert stance.position.support == pytest.approx(
            (max(0, position - 15), min(100, position + 15))
        )
        assert stance.salience.support == pytest.approx(
            (max(0, salience - 0.15), min(1, salience + 0.15))
        )
        assert stance.position.judgment
        assert stance.salience.judgment


def test_status_quo_points() -> None:
    sq = {issue.id: issue.status_quo.estimate for issue in scenario.issues if issue.status_quo}
    assert sq == {"militia_disarmament": 10, "iran_ties": 15, "us_pressure": 40}


def test_event_rates_match_the_brief() -> None:
    def monthly(event_id: str) -> float:
        hazard = scenario.event(event_id).hazard
        assert hazard.per_month is not None
        return hazard.per_month.estimate

    assert monthly("israel_escalation") == 0.12
    assert scenario.event("israel_escalation").hazard.per_month.support == (0.05, 0.25)  # type: ignore[union-attr]
    assert monthly("militia_campaign") == 0.03
    assert monthly("us_casualties") == 0.10
    assert monthly("us_strikes") == 0.01
    assert monthly("iran_approval") == 0.02
    assert monthly("disarmament_plan") == 0.005
    assert monthly("iran_energy_halt") == 0.01
    banks = scenario.event("bank_sanctions").hazard
    assert (banks.probability.estimate, banks.months) == (0.35, 12)  # type: ignore[union-attr]
    oil = scenario.event("oil_restriction").hazard
    assert (oil.probability.estimate, oil.months) == (0.08, 12)  # type: ignore[union-attr]
    campaign = scenario.event("militia_campaign")
    assert campaign.duration is not None
    assert campaign.duration.ending_hazard.estimate == 0.25  # type: ignore[union-attr]
    ratios = {
        modifier.when: modifier.odds_ratio.estimate
        for modifier in campaign.modifiers
        if modifier.odds_ratio is not None
    }
    assert ratios["occurred(israel_escalation, within=3)"] == 6
    assert ratios["occurred(us_strikes, within=3)"] == 3
    assert ratios["occurred(iran_approval)"] == 0.3
    tempo = next(effect for effect in campaign.effects if effect.variable == "attack_tempo")
    assert tempo.set is not None
    assert tempo.set.estimate == 40
    trigger = scenario.event("us_casualties").triggers[0]
    assert (trigger.event, trigger.probability.estimate) == ("us_strikes", 0.7)
    # After Iran's approval the disarmament plan's hazard is 0.25 a month.
    plan = scenario.event("disarmament_plan")
    ratio = next(m.odds_ratio.estimate for m in plan.modifiers if "iran_approval" in m.when)
    odds = 0.005 / 0.995 * ratio
    assert odds / (1 + odds) == pytest.approx(0.25, abs=0.001)


def test_state_ladder_and_questions() -> None:
    state = {variable.id: variable for variable in scenario.state}
    assert state["banks_barred"].initial.estimate == 28
    assert state["banks_barred"].max == 44
    assert state["fiscal_stress"].initial.support == (20, 40)
    assert scenario.ladder is not None
    assert scenario.ladder.start == 3
    assert [level.id for level in scenario.ladder.levels][3] == "waiver_revoked"
    assert len(scenario.ladder.levels) == 7
    kinds = {level.kind for level in scenario.ladder.levels}
    assert {"signal", "action"} <= kinds
    alignment = scenario.question("q7_alignment")
    assert alignment.cuts == (35, 65)
    # Iraq's alignment is its government's stance on ties with Iran (the model review, §6.4).
    assert (alignment.issue, alignment.actor) == ("iran_ties", "iraq_gov")
    assert len(scenario.question("q8_max_ladder").levels) == 7
    assert {str(question.deadline) for question in scenario.questions} == {"2026-03-31"}


def test_every_number_has_evidence_or_a_judgment_flag() -> None:
    records = number_records(scenario)
    assert len(records) > 100
    assert [record.path for record in records if not record.supported] == []


def test_sources_published_after_the_scenario_date_are_named() -> None:
    """The brief cites two sources later than 15 March 2025 (a January 2026 explainer, an April
    2025 report): evidence no forecaster on that date had, flagged wherever sources are shown.
    A date as loose as the year or month holding the scenario's date is not flagged."""
    from tightrope.scenario.provenance import provenance_summary, published_after
    from tightrope.scenario.schema import Source

    assert published_after(scenario) == {
        "reuters_explainer": "2026-01",
        "the_national_2025": "2025-04",
    }
    later = {entry["source"]: entry for entry in provenance_summary(scenario)["published_after"]}
    assert later["the_national_2025"]["numbers"] == [
        "actors.hardline_factions.capability",
        "issues.militia_disarmament.status_quo",
    ]
    dates = ["2025", "2025-03", "2025-03-15", "2025-03-16", "2026", "circa 2026", "2025-02-30"]
    sources = tuple(Source(id=f"s{n}", title="S", date=date) for n, date in enumerate(dates))
    assert published_after(scenario.model_copy(update={"sources": sources})) == {
        "s3": "2025-03-16",
        "s4": "2026",
    }


def test_seed_claims_are_verbatim_sentences_of_the_seed_article() -> None:
    seed = source_text("sources/iraq-us-iran-2025.txt")
    seed_claims = [claim for claim in scenario.claims if claim.source == "seed_article"]
    assert len(seed_claims) >= 15
    for claim in seed_claims:
        assert claim.kind == "quote"
        assert claim.text in seed, claim.id


def test_every_claim_is_cited_by_some_number() -> None:
    uncited = [claim for claim, paths in claims_used(scenario).items() if not paths]
    # A few seed sentences only give context; the facts must all be used.
    assert [claim for claim in uncited if claim.startswith("fact_")] == []


def test_yaml_round_trip_keeps_the_scenario() -> None:
    assert parse_scenario(dump_yaml(scenario)) == scenario
    assert parse_scenario(builtin_text("iraq-2025")) == scenario

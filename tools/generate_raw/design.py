"""Who took part when, who answered what: one consistent assignment of the 290 municipalities.

The report's counts (contract section 7 and published_text_figures.csv) pin down the sizes of
the groups; which municipalities fill them is drawn with a fixed seed, small municipalities
being likelier to join late, to skip a year and to leave questions unanswered.

Group arithmetic (the report's own counts need care: 263 + 14 + 6 = 283, not 282):
- 262 municipalities participated in 2013 (first year 2013). 263 requisitioned inventory
  money: the 263rd paid all of it back, so it did not participate in 2013 and is one of the
  14 whose first year is 2014 ("14 kommuner som inte deltog i 2013 års kompetenssatsning").
- 262 + 14 + 6 = 282 participated at some time 2013–2015; 6 joined in 2016; 2 never did.
- 2014: 255 requisitioned = 14 new + 241 of the 262.
- 2015: 259 requisitioned; 4 paid everything back, so 255 participated = 6 new + 249 others.
- 2016: 273 requisitioned = 6 new + 267 of the 282; the other 15 did not take part in 2016.
- 37 of the 282 are not counted in Table 1 (282 - 245): no 2016 file, or block A not valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.catalog import load_catalog

from .randomness import pick, stream, weighted_sample
from .reference import Municipality, published_tables, published_text_figures

FINAL_YEAR = 2016
YEARS = (2013, 2014, 2015, 2016)

# Block states a plan can ask for. Anything but "valid" or "empty" makes the block invalid.
VALID, EMPTY = "valid", "empty"
PARTIAL = "partial"  # some questions left blank
SUM_MISMATCH = "sum_mismatch"  # kvinnor + män differs from totalt
UNPARSEABLE = "unparseable"  # "ca 5" instead of a number
NEGATIVE = "negative"
NOT_WHOLE = "not_whole"  # half a person
PART_OVER_WHOLE = "part_over_whole"  # a "varav" above its total

# File-level events that the ledger must absorb without changing any figure.
EARLIER_VERSION = "earlier_version"  # an earlier file with other numbers: superseded
REJECTED_FIRST = "rejected_first"  # a rejected file, then the corrected one
SENT_TWICE = "sent_twice"  # a byte-identical second upload: duplicate
COMMENT_ROW = "comment_row"  # a question id outside the catalog: warning only
OLD_TEMPLATE = "old_template"  # the 2013–2015 form's extra questions in a 2016 file: warning
REPEATED_ROW = "repeated_row"  # one question twice with the same answer: warning
ONLY_REJECTED = "only_rejected"  # the municipality's only file is unusable
COMPETENCE_OVER_STAFF = "competence_over_staff"  # a subarea above handl_totalt: warning


@dataclass
class SubmissionPlan:
    kommunkod: str
    ar: int
    counted: bool  # in the population of its row in the report
    blocks: dict[str, str]  # block → VALID / EMPTY / an invalid state
    events: list[str] = field(default_factory=list)
    rejection: str | None = (
        None  # the contract reason code of the REJECTED_FIRST/ONLY_REJECTED file
    )


@dataclass(frozen=True)
class Design:
    first_year: dict[str, int | None]
    participants: dict[int, frozenset[str]]
    repaid_in_full: dict[int, frozenset[str]]  # requisitioned, then paid everything back
    kompetens_2013: frozenset[str]  # requisitioned the 2013 competence-development money
    plans: dict[int, dict[str, SubmissionPlan]]  # year → kommunkod → plan, submitters only
    choice_answers: dict[str, dict[str, str]]  # 2016 F question → kommunkod → answer


def smallness(municipality: Municipality) -> float:
    return 1.0 / (1.0 + municipality.population[FINAL_YEAR] / 15000)


def _joiner_weight(municipality: Municipality) -> float:
    # Late joiners are small: Table 11 shows 87 FTE for the 14 of 2014, 38 for the 6 of 2015.
    return 1.0 if 5000 <= municipality.population[FINAL_YEAR] <= 16000 else 0.03


def _draw(rng, pool: list[Municipality], k: int, weight) -> list[Municipality]:
    return weighted_sample(rng, pool, [weight(m) for m in pool], k)


def _without(pool: list[Municipality], taken) -> list[Municipality]:
    taken_codes = {m.kommunkod for m in taken}
    return [m for m in pool if m.kommunkod not in taken_codes]


def _codes(group: list[Municipality]) -> frozenset[str]:
    return frozenset(m.kommunkod for m in group)


def _count(figure_key: str) -> int:
    return published_text_figures()[figure_key][0]


def _n(table: str, row_key: str) -> int:
    return int(published_tables()[(table, row_key, "n_kommuner")].value)


def build_design(municipalities: tuple[Municipality, ...]) -> Design:
    rng = stream("cohorts")
    pool = list(municipalities)
    n_never = len(pool) - _count("deltagit_2013_2015_kommuner") - _count("nya_2016_kommuner")
    never = _draw(rng, pool, n_never, lambda m: smallness(m) ** 2)
    pool = _without(pool, never)
    new_2016 = _draw(rng, pool, _count("nya_2016_kommuner"), _joiner_weight)
    pool = _without(pool, new_2016)
    new_2015 = _draw(rng, pool, _count("nya_2015_kommuner"), _joiner_weight)
    pool = _without(pool, new_2015)
    new_2014 = _draw(rng, pool, _count("nya_2014_kommuner"), _joiner_weight)
    first_2013 = _without(pool, new_2014)
    returned_inventory_money = new_2014[:1]

    first_year: dict[str, int | None] = {m.kommunkod: None for m in never}
    for year, cohort in ((2013, first_2013), (2014, new_2014), (2015, new_2015), (2016, new_2016)):
        first_year.update({m.kommunkod: year for m in cohort})

    before_2015 = first_2013 + new_2014
    before_2016 = before_2015 + new_2015
    absent_2014 = _draw(
        rng, first_2013, len(before_2015) - _count("rekvirerat_2014_kommuner"), smallness
    )
    participants_2015 = _count("rekvirerat_2015_kommuner") - _count(
        "aterbetalat_helt_2015_kommuner"
    )
    absent_2015 = _draw(rng, before_2015, len(before_2016) - participants_2015, smallness)
    repaid_2015 = absent_2015[: _count("aterbetalat_helt_2015_kommuner")]
    absent_2016 = _draw(
        rng, before_2016, _count("webbformular_ej_deltagit_2016_kommuner"), smallness
    )
    no_kompetens_2013 = _draw(
        rng, first_2013, len(first_2013) - _count("rekvirerat_kompetens_2013_kommuner"), smallness
    )

    plans = {
        2013: _plan_first_inventory(first_2013, 2013),
        2014: _plan_first_inventory(new_2014, 2014),
        2015: _plan_first_inventory(new_2015, 2015),
    }
    plans[FINAL_YEAR], choice_answers = _plan_final_inventory(
        before_2016, _codes(absent_2016), new_2016
    )
    _add_file_events(plans)
    return Design(
        first_year=first_year,
        participants={
            2013: _codes(first_2013),
            2014: _codes(_without(first_2013, absent_2014) + new_2014),
            2015: _codes(_without(before_2015, absent_2015) + new_2015),
            2016: _codes(_without(before_2016, absent_2016) + new_2016),
        },
        repaid_in_full={2013: _codes(returned_inventory_money), 2015: _codes(repaid_2015)},
        kompetens_2013=_codes(_without(first_2013, no_kompetens_2013)),
        plans=plans,
        choice_answers=choice_answers,
    )


def _all_blocks(ar: int, state: str = VALID) -> dict[str, str]:
    return {block: state for block in load_catalog().blocks(ar)}


C_BLOCKS = (
    "C_socialt_arbete",
    "C_juridik",
    "C_psykologi",
    "C_samhallsvetenskap",
    "C_ebp_placerade_barn",
)
F_UPPFOLJNING = ("F_uppf_medarbetarsamtal", "F_uppf_annat_satt")
F_ARBETSLEDARE = ("F_genomfort_arbetsledare", "F_plan_arbetsledare")


def _plan_first_inventory(cohort: list[Municipality], ar: int) -> dict[str, SubmissionPlan]:
    """The inventory of a municipality's first year: rows 2013–2015 of Tables 11–14."""
    plans = {m.kommunkod: SubmissionPlan(m.kommunkod, ar, True, _all_blocks(ar)) for m in cohort}
    if ar != 2013:
        return plans  # the 14 and the 6 newcomers answered everything (n = 14 and 6 everywhere)
    rng = stream("plan-2013")
    for m in _draw(rng, cohort, 1, smallness):  # one of the 262 sent no inventory at all
        del plans[m.kommunkod]
    submitters = [m for m in cohort if m.kommunkod in plans]

    def set_state(m: Municipality, state: str, *blocks: str) -> None:
        for block in blocks:
            plans[m.kommunkod].blocks[block] = state

    a_states = [EMPTY, PARTIAL, SUM_MISMATCH]
    assert len(submitters) - len(a_states) == _n("T11", "2013")
    assert len(submitters) - 1 == _n("T13", "2013") == _n("T14", "2013")
    for m, state in zip(_draw(rng, submitters, len(a_states), smallness), a_states, strict=True):
        set_state(m, state, "A_handlaggare")
    b_missing = _draw(rng, submitters, len(submitters) - _n("T12", "2013"), smallness)
    set_state(b_missing[0], PART_OVER_WHOLE, "B_handlaggare_utbildning")
    for m in b_missing[1:]:
        set_state(m, EMPTY, "B_handlaggare_utbildning")
    for m in _draw(rng, submitters, len(submitters) - _n("T13", "2013"), smallness):
        set_state(m, EMPTY, "D_arbetsledare", "E_arbetsledare_utbildning")
    c_missing = _draw(
        rng, submitters, 10, smallness
    )  # no published n: the EBP share is all that counts
    for m in c_missing[:8]:
        set_state(m, EMPTY, *C_BLOCKS)
    for m in c_missing[8:]:
        set_state(m, PARTIAL, "C_ebp_placerade_barn")
    return plans


def _plan_final_inventory(
    population: list[Municipality], absent_2016: frozenset[str], new_2016: list[Municipality]
) -> tuple[dict[str, SubmissionPlan], dict[str, dict[str, str]]]:
    """The November 2016 inventory: Tables 1–10, rows 2016 of 11–14 and the text figures."""
    rng = stream("plan-2016")

    # Non-response is not random: small municipalities, and those that had left the grant.
    def nonresponse_weight(m: Municipality) -> float:
        return smallness(m) * (3.0 if m.kommunkod in absent_2016 else 1.0)

    nonresponders = _draw(rng, population, _count("ej_svar_2016_kommuner"), nonresponse_weight)
    followup_only, a_invalid_only = nonresponders[0:5], nonresponders[5:8]
    a_invalid_rest_valid, only_rejected = nonresponders[8], nonresponders[9]
    # the other 27 sent nothing at all
    responders = _without(population, nonresponders)
    assert len(responders) == _n("T01", "handlaggare")

    plans: dict[str, SubmissionPlan] = {}
    for m in [*responders, a_invalid_rest_valid]:
        plans[m.kommunkod] = SubmissionPlan(m.kommunkod, FINAL_YEAR, True, _all_blocks(FINAL_YEAR))
    plans[a_invalid_rest_valid.kommunkod].blocks["A_handlaggare"] = SUM_MISMATCH
    for m in followup_only:
        blocks = _all_blocks(FINAL_YEAR, EMPTY)
        blocks.update({block: VALID for block in blocks if block.startswith("F_")})
        plans[m.kommunkod] = SubmissionPlan(m.kommunkod, FINAL_YEAR, True, blocks)
    for m, state in zip(a_invalid_only, (PARTIAL, UNPARSEABLE, NEGATIVE), strict=True):
        blocks = _all_blocks(FINAL_YEAR, EMPTY)
        blocks["A_handlaggare"] = state
        plans[m.kommunkod] = SubmissionPlan(m.kommunkod, FINAL_YEAR, True, blocks)
    plans[only_rejected.kommunkod] = SubmissionPlan(
        only_rejected.kommunkod,
        FINAL_YEAR,
        True,
        _all_blocks(FINAL_YEAR, EMPTY),
        [ONLY_REJECTED],
        "unsupported_type",
    )

    def set_state(m: Municipality, state: str, *blocks: str) -> None:
        for block in blocks:
            plans[m.kommunkod].blocks[block] = state

    def missing(table: str, row_key: str) -> int:
        # a_invalid_rest_valid counts in every table but 1 and 11
        return len(responders) + 1 - _n(table, row_key)

    b_missing = _draw(rng, responders, missing("T02", "handlaggare"), smallness)
    for m, state in zip(b_missing, [PART_OVER_WHOLE, UNPARSEABLE, NOT_WHOLE], strict=False):
        set_state(m, state, "B_handlaggare_utbildning")
    for m in b_missing[3:]:
        set_state(m, EMPTY, "B_handlaggare_utbildning")

    social_work_missing = missing("T03", "socialt_arbete")
    c_missing = _draw(rng, responders, missing("T03", "juridik"), smallness)
    for m in c_missing[: social_work_missing - 2]:  # skipped the whole competence part
        set_state(m, EMPTY, *C_BLOCKS)
    for m in c_missing[
        social_work_missing - 2 : social_work_missing
    ]:  # gave up half-way through the first area
        set_state(m, PARTIAL, "C_socialt_arbete")
        set_state(m, EMPTY, *C_BLOCKS[1:])
    for m in c_missing[social_work_missing:]:  # answered the first area only
        set_state(m, EMPTY, *C_BLOCKS[1:])

    d_missing = missing("T09", "arbetsledare")
    assert d_missing == missing("T10", "arbetsledare")
    de_missing = _draw(rng, responders, d_missing + 1, smallness)
    no_supervisor_answers = de_missing[: d_missing - 1]
    for m in no_supervisor_answers:
        set_state(m, EMPTY, "D_arbetsledare", "E_arbetsledare_utbildning")
    set_state(de_missing[d_missing - 1], PART_OVER_WHOLE, "D_arbetsledare")
    set_state(de_missing[d_missing], PART_OVER_WHOLE, "E_arbetsledare_utbildning")

    choice_answers = _plan_followup(rng, plans, responders, no_supervisor_answers)
    for m in new_2016:  # they submit like everybody else but are in no table (contract section 5)
        plans[m.kommunkod] = SubmissionPlan(m.kommunkod, FINAL_YEAR, False, _all_blocks(FINAL_YEAR))
        for block, answers in choice_answers.items():
            answers[m.kommunkod] = pick(
                rng, ("ja", "delvis", "nej") if block.startswith("F_genomfort") else ("ja", "nej")
            )
    return plans, choice_answers


def _plan_followup(
    rng,
    plans: dict[str, SubmissionPlan],
    responders: list[Municipality],
    no_supervisor_answers: list[Municipality],
) -> dict[str, dict[str, str]]:
    """Which municipalities answered the 2016 follow-up questions (F blocks), and how."""
    figures = published_text_figures()
    in_population = sorted(code for code, plan in plans.items() if plan.counted)
    by_code = {m.kommunkod: m for m in responders}

    def leave_empty(group: list[Municipality], blocks) -> None:
        for m in group:
            for block in blocks:
                plans[m.kommunkod].blocks[block] = EMPTY

    # Genomfört (handläggare) is answered by everyone who answers any follow-up question.
    answering = [
        code for code in in_population if plans[code].blocks["F_genomfort_handlaggare"] == VALID
    ]
    n_skip_all = len(answering) - figures["planerad_genomford_handlaggare_kommuner"][1]
    skip_all = _draw(rng, responders, n_skip_all, smallness)
    leave_empty(skip_all, [block for block in _all_blocks(FINAL_YEAR) if block.startswith("F_")])
    still = _without(responders, skip_all)
    n_skip_uppf = len(answering) - n_skip_all - figures["uppfoljning_medarbetarsamtal_kommuner"][1]
    leave_empty(_draw(rng, still, n_skip_uppf, smallness), F_UPPFOLJNING)
    # Those who reported no supervisors answer nothing about them either.
    n_skip_arbl = (
        len(answering) - n_skip_all - figures["planerad_genomford_arbetsledare_kommuner"][1]
    )
    without_supervisors = _codes(no_supervisor_answers)
    candidates = sorted(still, key=lambda m: (m.kommunkod not in without_supervisors, m.kommunkod))
    leave_empty(candidates[:n_skip_arbl], F_ARBETSLEDARE)

    def yes_weight(code: str) -> float:
        # Larger municipalities more often have a plan and follow-up beyond the appraisal talk.
        return 1.5 - smallness(by_code[code]) if code in by_code else 1.0

    yes_counts = {
        "F_uppf_medarbetarsamtal": figures["uppfoljning_medarbetarsamtal_kommuner"][0],
        "F_uppf_annat_satt": figures["uppfoljning_annat_satt_kommuner"][0],
        "F_genomfort_handlaggare": figures["planerad_genomford_handlaggare_kommuner"][0],
        "F_genomfort_arbetsledare": figures["planerad_genomford_arbetsledare_kommuner"][0],
    }
    unpublished_yes_share = {"F_plan_handlaggare": 0.62, "F_plan_arbetsledare": 0.41}
    answers: dict[str, dict[str, str]] = {}
    for block in (*yes_counts, *unpublished_yes_share):
        answered = [code for code in in_population if plans[code].blocks[block] == VALID]
        n_yes = yes_counts.get(block, round(unpublished_yes_share.get(block, 0) * len(answered)))
        yes = set(weighted_sample(rng, answered, [yes_weight(c) for c in answered], n_yes))
        answers[block] = {}
        for code in answered:
            if code not in yes:
                answers[block][code] = "nej"
            elif block.startswith(
                "F_genomfort"
            ):  # "helt eller delvis": about four in ten completely
                answers[block][code] = pick(rng, ("ja", "ja", "delvis", "delvis", "delvis"))
            else:
                answers[block][code] = "ja"
    return answers


def _add_file_events(plans: dict[int, dict[str, SubmissionPlan]]) -> None:
    """The handful of upload mishaps every statistics office sees (contract section 3)."""
    rng = stream("file-events")

    def eligible(ar: int) -> list[str]:
        return sorted(
            code
            for code, plan in plans[ar].items()
            if plan.counted
            and not plan.events
            and all(state == VALID for state in plan.blocks.values())
        )

    events_2016 = [
        (EARLIER_VERSION, None),
        (EARLIER_VERSION, None),
        (REJECTED_FIRST, "year_mismatch"),
        (REJECTED_FIRST, "unknown_municipality"),
        (REJECTED_FIRST, "bad_header"),
        (REJECTED_FIRST, "missing_metadata"),
        (SENT_TWICE, None),
        (SENT_TWICE, None),
        (COMMENT_ROW, None),
        (COMMENT_ROW, None),
        (OLD_TEMPLATE, None),
        (REPEATED_ROW, None),
        (COMPETENCE_OVER_STAFF, None),
    ]
    events_first = {
        2013: [
            (EARLIER_VERSION, None),
            (SENT_TWICE, None),
            (REJECTED_FIRST, "bad_timestamp"),
            (COMMENT_ROW, None),
        ],
        2014: [(EARLIER_VERSION, None)],
        2015: [],
    }
    for ar, events in ((2016, events_2016), *events_first.items()):
        candidates = eligible(ar)
        for code, (event, reason) in zip(
            weighted_sample(rng, candidates, [1.0] * len(candidates), len(events)),
            events,
            strict=True,
        ):
            plans[ar][code].events.append(event)
            plans[ar][code].rejection = reason

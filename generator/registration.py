"""One wave of the programme: applications, selection lottery, revocations, training purchases,
incentive payments and surveys, as aligned numpy arrays (formatting happens in deliveries.py).

Dates are integer days since 1970-01-01; timestamps are seconds. Selection is a lottery among
eligible applicants of the wave (optionally rigged), which makes the eligible applicants not
selected a valid control group; the programme effect is planted on the evaluation survey.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from generator import calibration, reference, vocab
from generator.people import Geography, People, nik_strings, people
from generator.providers import Catalogue
from generator.randomness import choose, stream

DAY = 86_400


def days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


@dataclass(frozen=True)
class Effect:
    """Planted relative effects of completing the programme on the evaluation survey."""

    new_job_relative: float = 0.18  # +18% probability of a new job (J-PAL, as reported)
    income_relative: float = 0.10  # +10% monthly income (as reported)
    business_relative: float = 0.30  # +30% probability of starting a business (WEF, 2022)

    def as_dict(self) -> dict[str, object]:
        return {
            "survey": "evaluasi",
            "treated": "kelompok = peserta (completed training, received the first incentive)",
            "control": "kelompok = kontrol (eligible, not selected by the lottery)",
            "new_job_relative": self.new_job_relative,
            "income_relative": self.income_relative,
            "business_relative": self.business_relative,
            "definition": "P(outcome | peserta) = P(outcome | kontrol, same covariates) * "
            "(1 + relative); income multiplied by (1 + income_relative)",
        }


NO_EFFECT = Effect(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Options:
    effect: Effect = field(default_factory=Effect)
    rig_selection: bool = False


@dataclass
class WaveData:
    wave: reference.Wave
    people: People
    nik: np.ndarray
    apps: dict[str, np.ndarray]
    revocations: dict[str, np.ndarray]
    enrollments: dict[str, np.ndarray]
    payments: dict[str, np.ndarray]
    surveys: dict[str, np.ndarray]


def _lottery(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Exactly k winners, probability proportional to weight (exponential keys)."""
    keys = rng.exponential(size=len(weights)) / weights
    return np.argsort(keys, kind="stable")[:k]


def _rig_weights(p: People, index: np.ndarray) -> np.ndarray:
    # Rigged selection favours the already employed and the higher educated.
    employed = np.isin(p.employment[index], [3, 4])
    higher = p.education[index] >= 3
    return 1.0 + 2.0 * employed + 1.0 * higher


def generate_wave(
    seed: int,
    wave: reference.Wave,
    target: calibration.WaveTarget,
    new_ids: np.ndarray,
    state: np.ndarray,
    serials: np.ndarray,
    geo: Geography,
    cat: Catalogue,
    options: Options,
) -> WaveData:
    rng = stream(seed, wave.number, 1)
    rule = reference.rule_for(wave.scheme)
    # -- who applies: new people and people who applied before without being selected
    n_re = target.applications - len(new_ids)
    earlier = np.flatnonzero(state[: int(new_ids[0]) if len(new_ids) else 0] == 0)
    n_re = min(n_re, len(earlier))
    again = np.sort(rng.choice(earlier, n_re, replace=False)) if n_re else earlier[:0]
    ids = np.concatenate([again, new_ids])
    n = len(ids)
    open_s = days(wave.open) * DAY
    close_s = (days(wave.close) + 1) * DAY - 1
    submitted = open_s + np.floor(rng.random(n) * (close_s - open_s)).astype(np.int64)
    order = np.argsort(submitted, kind="stable")  # the export is in submission order
    ids, submitted = ids[order], submitted[order]
    p = people(seed, ids, geo)
    nik = nik_strings(p, geo, serials)
    verified = rng.random(n) < calibration.VERIFIED_SHARE
    eligible = verified & (rng.random(n) < calibration.ELIGIBLE_SHARE_OF_VERIFIED)
    pool = np.flatnonzero(eligible)
    if len(pool) < target.selected:
        raise RuntimeError(f"wave {wave.number}: fewer eligible applicants than selected")
    weights = _rig_weights(p, pool) if options.rig_selection else np.ones(len(pool))
    chosen = np.sort(pool[_lottery(rng, weights, target.selected)])
    selected = np.zeros(n, dtype=bool)
    selected[chosen] = True
    state[ids[selected]] = 1
    not_chosen = np.flatnonzero(eligible & ~selected)
    sk_day = days(wave.selection)
    apps = {
        "person": ids,
        "submitted": submitted,
        "verified": verified,
        "eligible": eligible,
        "selected": selected,
        "card": 5_000_000_000_000_000 + ids * 7 + wave.number,
    }
    # -- revocations: mostly no purchase within the deadline
    revoked = np.sort(rng.choice(chosen, target.revoked, replace=False))
    reason = choose(rng.random(len(revoked)), vocab.REVOCATION_SHARES)
    deadline = rule.purchase_deadline_days
    rev_day = np.where(
        reason == 0,
        sk_day + deadline + 1 + rng.integers(0, 10, len(revoked)),
        sk_day + 1 + rng.integers(0, 45, len(revoked)),
    )
    revocations = {"app": revoked, "day": rev_day, "reason": reason}
    is_revoked = np.zeros(n, dtype=bool)
    is_revoked[revoked] = True
    # -- training purchases: every net beneficiary buys within the deadline
    net = np.flatnonzero(selected & ~is_revoked)
    other_rev = revoked[reason != 0]
    rev_buyers = other_rev[rng.random(len(other_rev)) < 0.5]
    rev_buy_limit = rev_day[reason != 0][np.isin(other_rev, rev_buyers)]
    buyers = np.concatenate([net, rev_buyers])
    buy_day = np.concatenate(
        [
            sk_day + 1 + np.floor(deadline * rng.random(len(net)) ** 2).astype(np.int64),
            np.minimum(sk_day + 1, rev_buy_limit),
        ]
    )
    n_complete = round(calibration.COMPLETED_PER_SELECTED * target.selected)
    completer = np.zeros(len(buyers), dtype=bool)
    completer[rng.choice(len(net), min(n_complete, len(net)), replace=False)] = True
    e1 = _purchases(rng, cat, buyers, buy_day, sk_day, rule.training_voucher_rp, deadline)
    done1 = completer
    end1 = e1["day"] + 1 + np.floor(e1["hours"] / 4 + rng.random(len(buyers)) * 10).astype(np.int64)
    # second purchase for some, with the voucher balance left
    want2 = rng.random(len(buyers)) < 0.35
    e2 = _purchases(
        rng,
        cat,
        buyers,
        e1["day"] + 1 + rng.integers(0, 20, len(buyers)),
        sk_day,
        rule.training_voucher_rp,
        deadline,
    )
    ok2 = want2 & (e1["price"] + e2["price"] <= rule.training_voucher_rp) & done1
    done2 = ok2 & (rng.random(len(buyers)) < 0.8)
    end2 = e2["day"] + 1 + np.floor(e2["hours"] / 4 + rng.random(len(buyers)) * 10).astype(np.int64)
    enr_app = np.concatenate([buyers, buyers[ok2]])
    enr_done = np.concatenate([done1, done2[ok2]])
    enr_end = np.concatenate([end1, end2[ok2]])
    rating = np.where(
        enr_done & (rng.random(len(enr_app)) < 0.95),
        np.array(vocab.RATINGS)[choose(rng.random(len(enr_app)), vocab.RATING_SHARES)],
        0,
    )
    enrollments = {
        "app": enr_app,
        "listing": np.concatenate([e1["listing"], e2["listing"][ok2]]),
        "day": np.concatenate([e1["day"], e2["day"][ok2]]),
        "price": np.concatenate([e1["price"], e2["price"][ok2]]),
        "done": enr_done,
        "end": np.where(enr_done, enr_end, -1),
        "rating": rating,
    }
    enrollments = _sorted(enrollments, "day")
    # -- incentives after the first completed training
    paid_apps = buyers[done1]
    completed_day = end1[done1]
    first_sched = (
        completed_day + 2 + np.floor(rng.random(len(paid_apps)) ** 2 * 18).astype(np.int64)
    )
    # The first payment can be a survey incentive paid soon after completion: a channel must
    # already be active on the completion day (DANA only from its start date).
    channel = _channels(rng, completed_day)
    payments, surveys, control = _payments_and_surveys(
        rng,
        rule,
        p,
        paid_apps,
        completed_day,
        first_sched,
        channel,
        sk_day,
        options,
        not_chosen,
        target.selected,
    )
    state[ids[control]] = 2
    return WaveData(wave, p, nik, apps, revocations, enrollments, payments, surveys)


def _purchases(
    rng: np.random.Generator,
    cat: Catalogue,
    buyers: np.ndarray,
    day: np.ndarray,
    sk_day: int,
    voucher: int,
    deadline: int,
) -> dict[str, np.ndarray]:
    active = np.flatnonzero(cat.active(sk_day + deadline, 0) & (cat.price <= voucher))
    w = cat.popularity[active]
    listing = active[choose(rng.random(len(buyers)), w / w.sum())]
    day = np.maximum(day, cat.listed_from[listing])
    return {
        "listing": listing,
        "day": day,
        "price": cat.price[listing],
        "hours": cat.hours[listing],
    }


def _sorted(table: dict[str, np.ndarray], key: str) -> dict[str, np.ndarray]:
    order = np.argsort(table[key], kind="stable")
    return {k: v[order] for k, v in table.items()}


def _channels(rng: np.random.Generator, first_day: np.ndarray) -> np.ndarray:
    """Payment channel per participant, only among channels active on the first payment."""
    chans = reference.channels()
    weights = np.array([vocab.CHANNEL_WEIGHTS.get(c.code, 0.1) for c in chans])
    active = np.stack(
        [
            (first_day >= days(c.active_from))
            & ((first_day <= days(c.active_to)) if c.active_to else True)
            for c in chans
        ],
        axis=1,
    )
    w = active * weights
    cdf = np.cumsum(w, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(len(first_day))[:, None]
    return np.minimum((u >= cdf).sum(axis=1), len(chans) - 1)


def _outcomes(
    rng: np.random.Generator,
    p: People,
    index: np.ndarray,
    treated: bool,
    effect: Effect,
) -> dict[str, np.ndarray]:
    """Follow-up outcomes; the effect multiplies the control probabilities and income."""
    m = len(index)
    status = p.employment[index]
    edu = p.education[index]
    status_factor = np.array([1.1, 0.9, 1.0, 0.6, 0.5])[status]
    edu_factor = np.array([0.7, 0.8, 1.0, 1.2, 1.3, 1.3])[edu]
    p_new = 0.22 * status_factor * edu_factor
    p_biz = np.full(m, 0.08)
    income = p.income_base[index] * np.exp(rng.normal(0, 0.25, m) - 0.03125)
    if treated:
        p_new = p_new * (1 + effect.new_job_relative)
        p_biz = p_biz * (1 + effect.business_relative)
        income = income * (1 + effect.income_relative)
    new_job = rng.random(m) < p_new
    kept_work = rng.random(m) < np.array([0.15, 0.45, 0.1, 0.85, 0.9])[status]
    income = np.round(income, -3)
    income_missing = rng.random(m) < 0.03
    return {
        "working": new_job | kept_work,
        "new_job": new_job,
        "income": np.where(income_missing, -1, income),
        "business": rng.random(m) < p_biz,
    }


def _payments_and_surveys(
    rng: np.random.Generator,
    rule: reference.BenefitRule,
    p: People,
    paid_apps: np.ndarray,
    completed_day: np.ndarray,
    first_sched: np.ndarray,
    channel: np.ndarray,
    sk_day: int,
    options: Options,
    not_chosen: np.ndarray,
    n_selected: int,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    m = len(paid_apps)
    pay_parts: list[dict[str, np.ndarray]] = []
    for tranche in range(1, rule.incentive_tranches + 1):
        sched = first_sched + 30 * (tranche - 1)
        pay_parts.append(
            {
                "app": paid_apps,
                "kind": np.zeros(m, np.int8),
                "termin": np.full(m, tranche),
                "channel": channel,
                "amount": np.full(m, rule.incentive_tranche_rp),
                "sched": sched,
            }
        )
    last_sched = first_sched + 30 * (rule.incentive_tranches - 1)
    # Surveys: the scheme's count, in order; the evaluation is always the last one.
    kinds = list(vocab.SURVEY_TYPES)
    if rule.survey_incentives < len(kinds):
        kinds = [*kinds[: rule.survey_incentives - 1], "evaluasi"]
    survey_parts: list[dict[str, np.ndarray]] = []
    for number, kind in enumerate(kinds, start=1):
        if kind == "pasca_pelatihan":
            day, rate = completed_day + rng.integers(0, 8, m), 0.9
        elif kind == "pasca_insentif":
            day, rate = last_sched + 1 + rng.integers(0, 14, m), 0.75
        else:
            day, rate = first_sched + 90 + rng.integers(0, 15, m), 0.6
        answered = rng.random(m) < rate
        idx = paid_apps[answered]
        effect = options.effect if kind == "evaluasi" else NO_EFFECT
        out = _outcomes(rng, p, idx, True, effect)
        survey_parts.append(
            {
                "app": idx,
                "kind": np.full(len(idx), vocab.SURVEY_TYPES.index(kind)),
                "control": np.zeros(len(idx), bool),
                "day": day[answered],
                "skills": (rng.random(len(idx)) < 0.8892).astype(np.int8),
                **out,
            }
        )
        pay_parts.append(
            {
                "app": idx,
                "kind": np.ones(len(idx), np.int8),
                "termin": np.full(len(idx), number),
                "channel": channel[answered],
                "amount": np.full(len(idx), rule.survey_incentive_rp),
                "sched": day[answered] + 1 + rng.integers(0, 14, len(idx)),
            }
        )
    # Control group: the evaluation survey only, at the participants' typical delay. It reaches
    # the same share of its arm (eligible, not selected) as the evaluation survey reaches of the
    # selected, so response rates per arm agree and the lottery comparison stays balanced.
    n_eval = len(survey_parts[-1]["app"])
    n_control = min(round(n_eval / max(n_selected, 1) * len(not_chosen)), len(not_chosen))
    control = np.sort(rng.choice(not_chosen, n_control, replace=False))
    c_day = sk_day + 115 + rng.integers(0, 15, len(control))
    out = _outcomes(rng, p, control, False, options.effect)
    survey_parts.append(
        {
            "app": control,
            "kind": np.full(len(control), vocab.SURVEY_TYPES.index("evaluasi")),
            "control": np.ones(len(control), bool),
            "day": c_day,
            "skills": np.full(len(control), -1, np.int8),
            **out,
        }
    )
    payments = {k: np.concatenate([part[k] for part in pay_parts]) for k in pay_parts[0]}
    k = len(payments["app"])
    status = choose(rng.random(k), vocab.PAYMENT_STATUS_SHARES)
    payments["status"] = status
    payments["reason"] = np.where(status > 0, choose(rng.random(k), vocab.FAILURE_SHARES), -1)
    payments["paid"] = np.where(status == 1, -1, payments["sched"] + rng.integers(0, 4, k))
    payments = _sorted(payments, "sched")
    surveys = {k: np.concatenate([part[k] for part in survey_parts]) for k in survey_parts[0]}
    return payments, _sorted(surveys, "day"), control

"""Recommendations both ways, scored as sparse matrices so that a show's ten thousand trade
visitors and two thousand exhibitors are scored in seconds (benchmarks/matchmaking).

Only trade visitors (and VIPs) who agreed to be contacted for meetings, with an active
registration, and exhibitors with a live (signed, not cancelled) contract for the show take
part. A pair scores on the categories the visitor seeks and the exhibitor offers:

- each shared category weighs its rarity, log(1 + exhibitors / (1 + exhibitors offering it)),
  so a rare speciality counts for more than what everyone sells;
- a category related through the tree (the parent or a child of one sought) counts half;
- the sum is scaled by the visitor's purchasing authority and buying intent.

Each visitor keeps its best exhibitors and each exhibitor its best visitors (TOP_K each); the
reason is the category that weighed most, stored as an event kind with its parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from scipy import sparse

from expo_crm import clock, events
from expo_crm.categories.models import Category
from expo_crm.db import db
from expo_crm.exhibitors.models import CompanyCategory, Contract, ContractState
from expo_crm.matchmaking.models import REASON, REASON_FOR_VISITOR, REASON_PLAIN, Recommendation
from expo_crm.visitors.models import (
    Registration,
    RegistrationCategory,
    RegistrationState,
    Visitor,
    VisitorCategory,
)

TOP_K = 10
RELATED_WEIGHT = 0.5
CHUNK = 2048  # visitors scored at once: a dense block of CHUNK × exhibitors floats

AUTHORITY_FACTOR = {"decides": 1.0, "recommends": 0.75, "none": 0.35}
INTENT_FACTOR = {"buying_now": 1.0, "within_year": 0.8, "researching": 0.5}
UNKNOWN_FACTOR = 0.6
TRADE_CATEGORIES = (RegistrationCategory.professional, RegistrationCategory.vip)


@dataclass
class Profiles:
    """What a show's matching reads: ids, the sought (V) and offered (E) category matrices."""

    visitor_ids: np.ndarray
    company_ids: np.ndarray
    category_ids: np.ndarray
    sought: sparse.csr_matrix  # visitors × categories, 1 where sought
    offered: sparse.csr_matrix  # exhibitors × categories, 1 where offered
    related: sparse.csr_matrix  # categories × categories, 1 between parent and child
    factor: np.ndarray  # per visitor: authority × intent
    authority: list[str | None]


def eligible_visitors(show_id: int):
    """Trade visitors of the show who agreed to be contacted for meetings."""
    return sa.select(Registration.visitor_id).where(
        Registration.show_id == show_id,
        Registration.state == RegistrationState.active,
        Registration.meeting_consent.is_(True),
        Registration.category.in_(TRADE_CATEGORIES),
    )


def exhibiting_companies(show_id: int):
    """Companies with a live contract for the show: signed, not cancelled."""
    return sa.select(Contract.company_id).where(
        Contract.show_id == show_id, Contract.state == ContractState.signed
    )


def load_profiles(show_id: int) -> Profiles:
    connection = db.session.connection()
    categories = connection.execute(
        sa.select(Category.id, Category.parent_id).order_by(Category.id)
    ).all()
    category_ids = np.array([c[0] for c in categories], dtype=np.int64)
    column = {cid: i for i, cid in enumerate(category_ids.tolist())}
    visitors = connection.execute(
        sa.select(Visitor.id, Visitor.purchasing_authority, Visitor.buying_intent)
        .where(Visitor.id.in_(eligible_visitors(show_id)))
        .order_by(Visitor.id)
    ).all()
    visitor_ids = np.array([v[0] for v in visitors], dtype=np.int64)
    row_of_visitor = {vid: i for i, vid in enumerate(visitor_ids.tolist())}
    company_ids = np.array(
        sorted(set(connection.execute(exhibiting_companies(show_id)).scalars())), dtype=np.int64
    )
    row_of_company = {cid: i for i, cid in enumerate(company_ids.tolist())}
    sought_pairs = connection.execute(
        sa.select(VisitorCategory.visitor_id, VisitorCategory.category_id).where(
            VisitorCategory.visitor_id.in_(eligible_visitors(show_id))
        )
    ).all()
    offered_pairs = connection.execute(
        sa.select(CompanyCategory.company_id, CompanyCategory.category_id).where(
            CompanyCategory.company_id.in_(exhibiting_companies(show_id))
        )
    ).all()
    n_categories = len(category_ids)
    sought = _matrix(sought_pairs, row_of_visitor, column, (len(visitor_ids), n_categories))
    offered = _matrix(offered_pairs, row_of_company, column, (len(company_ids), n_categories))
    links = [(column[c], column[p]) for c, p in categories if p is not None and p in column]
    rows = [a for a, b in links] + [b for a, b in links]
    cols = [b for a, b in links] + [a for a, b in links]
    related = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_categories, n_categories)
    )
    authority = [v[1].value if v[1] is not None else None for v in visitors]
    factor = np.array(
        [
            AUTHORITY_FACTOR.get(a, UNKNOWN_FACTOR)
            * INTENT_FACTOR.get(v[2].value if v[2] else None, UNKNOWN_FACTOR)
            for a, v in zip(authority, visitors, strict=True)
        ],
        dtype=np.float32,
    )
    return Profiles(
        visitor_ids, company_ids, category_ids, sought, offered, related, factor, authority
    )


def _matrix(pairs, row_of: dict, column: dict, shape) -> sparse.csr_matrix:
    found = [(row_of[a], column[b]) for a, b in pairs if a in row_of and b in column]
    rows = np.array([r for r, _c in found], dtype=np.int64)
    cols = np.array([c for _r, c in found], dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(found), dtype=np.float32), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0  # a pair listed twice still counts once
    return matrix


@dataclass
class Scored:
    visitor_rows: np.ndarray
    company_rows: np.ndarray
    scores: np.ndarray
    reason_columns: np.ndarray  # the category that weighed most, as a column of the matrices


def score(profiles: Profiles, top_k: int = TOP_K) -> Scored:
    """The best pairs both ways: each visitor's top_k exhibitors and each exhibitor's top_k
    visitors, with scores (> 0) and the category that weighed most."""
    n_visitors, n_companies = profiles.sought.shape[0], profiles.offered.shape[0]
    empty = Scored(*(np.zeros(0, dtype=t) for t in (np.int64, np.int64, np.float32, np.int64)))
    if n_visitors == 0 or n_companies == 0 or profiles.sought.shape[1] == 0:
        return empty
    offered_by = np.asarray(profiles.offered.sum(axis=0)).ravel()
    rarity = np.log1p(n_companies / (1.0 + offered_by)).astype(np.float32)
    # What an exhibitor offers, widened to the parents and children of its categories at half weight.
    reach = profiles.offered + RELATED_WEIGHT * (profiles.offered @ profiles.related)
    reach.data = np.minimum(reach.data, 1.0)
    reach = sparse.csr_matrix(reach.multiply(rarity[np.newaxis, :]))
    weighted_t = reach.T.tocsr()
    k_row = min(top_k, n_companies)
    k_col = min(top_k, n_visitors)
    pick_v, pick_c = [], []
    best_col_scores = np.zeros((n_companies, 0), dtype=np.float32)
    best_col_rows = np.zeros((n_companies, 0), dtype=np.int64)
    for start in range(0, n_visitors, CHUNK):
        block = (profiles.sought[start : start + CHUNK] @ weighted_t).toarray()
        block *= profiles.factor[start : start + CHUNK, np.newaxis]
        # each visitor's best exhibitors
        top = np.argpartition(-block, k_row - 1, axis=1)[:, :k_row]
        rows = np.repeat(np.arange(block.shape[0]), k_row)
        keep = block[rows, top.ravel()] > 0
        pick_v.append(rows[keep] + start)
        pick_c.append(top.ravel()[keep])
        # each exhibitor's best visitors of this block, merged with the best so far
        columns = np.ascontiguousarray(block.T)
        k_here = min(k_col, columns.shape[1])
        local = np.argpartition(-columns, k_here - 1, axis=1)[:, :k_here]
        scores = np.hstack([best_col_scores, np.take_along_axis(columns, local, axis=1)])
        owners = np.hstack([best_col_rows, local + start])
        k = min(k_col, scores.shape[1])
        order = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_col_scores = np.take_along_axis(scores, order, axis=1)
        best_col_rows = np.take_along_axis(owners, order, axis=1)
    keep = best_col_scores > 0
    pick_v.append(best_col_rows[keep])
    pick_c.append(np.broadcast_to(np.arange(n_companies)[:, np.newaxis], keep.shape)[keep])
    keys = np.unique(np.concatenate(pick_v) * n_companies + np.concatenate(pick_c))
    if len(keys) == 0:
        return empty
    pairs = np.stack([keys // n_companies, keys % n_companies], axis=1)
    v_rows, c_rows = pairs[:, 0], pairs[:, 1]
    contributions = sparse.csr_matrix(profiles.sought[v_rows].multiply(reach[c_rows]))
    totals = np.asarray(contributions.sum(axis=1)).ravel() * profiles.factor[v_rows]
    return Scored(v_rows, c_rows, totals.astype(np.float32), _row_argmax(contributions))


def _row_argmax(matrix: sparse.csr_matrix) -> np.ndarray:
    """The column of each row's largest entry (the first on a tie), without a Python loop."""
    matrix.sort_indices()
    starts, counts = matrix.indptr[:-1], np.diff(matrix.indptr)
    found = np.zeros(matrix.shape[0], dtype=np.int64)
    filled = counts > 0
    if not filled.any():
        return found
    row_max = np.maximum.reduceat(matrix.data, starts[filled])
    owner = np.repeat(np.arange(matrix.shape[0]), counts)
    best = np.full(matrix.shape[0], -np.inf, dtype=np.float64)
    best[filled] = row_max
    position = np.where(matrix.data == best[owner], np.arange(len(matrix.data)), len(matrix.data))
    first = np.minimum.reduceat(position, starts[filled])
    found[filled] = matrix.indices[first]
    return found


def compute_recommendations(show_id: int, top_k: int = TOP_K, at: datetime | None = None) -> int:
    """Score the show and replace its stored recommendations; returns how many were stored."""
    profiles = load_profiles(show_id)
    scored = score(profiles, top_k)
    labels = {
        cid: " / ".join(dict.fromkeys(n for n in (zh, en) if n))
        for cid, zh, en in db.session.execute(
            sa.select(Category.id, Category.name_zh, Category.name_en)
        )
    }
    at = at or clock.now()
    db.session.execute(sa.delete(Recommendation).where(Recommendation.show_id == show_id))
    reasons: dict[tuple[int, str | None], tuple[str, str]] = {}
    visitor_ids = profiles.visitor_ids.tolist()
    company_ids = profiles.company_ids.tolist()
    category_ids = profiles.category_ids.tolist()
    rows = []
    for v_row, c_row, value, column in zip(
        scored.visitor_rows.tolist(),
        scored.company_rows.tolist(),
        scored.scores.tolist(),
        scored.reason_columns.tolist(),
        strict=True,
    ):
        authority = profiles.authority[v_row]
        key = (category_ids[column], authority)
        reason = reasons.get(key)
        if reason is None:
            params = {"category": labels.get(key[0], "")}
            if authority:
                params["authority"] = authority
            reason = (REASON if authority else REASON_PLAIN, json.dumps(params, ensure_ascii=False))
            reasons[key] = reason
        rows.append(
            {
                "show_id": show_id,
                "visitor_id": visitor_ids[v_row],
                "company_id": company_ids[c_row],
                "score": round(value, 4),
                "event": reason[0],
                "params_json": reason[1],
                "computed_at": at,
            }
        )
    table = Recommendation.__table__
    for start in range(0, len(rows), 10_000):
        db.session.execute(table.insert(), rows[start : start + 10_000])
    return len(rows)


def for_company(company_id: int, show_id: int, limit: int = TOP_K) -> list[Recommendation]:
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.company_id == company_id, Recommendation.show_id == show_id)
            .where(Recommendation.visitor_id.in_(eligible_visitors(show_id)))
            .order_by(Recommendation.score.desc(), Recommendation.id)
            .limit(limit)
        )
    )


def for_visitor(visitor_id: int, show_id: int, limit: int = TOP_K) -> list[Recommendation]:
    return list(
        db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.visitor_id == visitor_id, Recommendation.show_id == show_id)
            .where(Recommendation.company_id.in_(exhibiting_companies(show_id)))
            .order_by(Recommendation.score.desc(), Recommendation.id)
            .limit(limit)
        )
    )


def reason_for_exhibitor(recommendation: Recommendation) -> str:
    return events.render(recommendation.event, recommendation.params)


def reason_for_visitor(recommendation: Recommendation) -> str:
    return events.render(REASON_FOR_VISITOR, recommendation.params)

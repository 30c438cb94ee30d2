"""The scoring rounds API. A round is seen by its project's owner and the
estimators asked (while in its team); anyone else, teammates included, gets
a 404. Values stay hidden as on the page (app.rounds.page). Same services as
the pages."""

from datetime import datetime
from enum import StrEnum

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import Session

from app.auth.deps import ApiUser
from app.auth.models import User
from app.db import SessionDep
from app.errors import error_responses
from app.inputs import IdPath
from app.projects import queries as project_queries
from app.rounds import queries, service
from app.rounds.models import (
    EstimateIn,
    EstimatePublic,
    EstimatorPublic,
    RoundClose,
    RoundCreate,
    RoundPublic,
    RoundReveal,
    RoundStatus,
    ScoreSpread,
)
from app.rounds.page import PersonRow, RoundPage, round_page
from app.routing import Route

router = APIRouter(
    route_class=Route, prefix="/api/v1", tags=["rounds"], responses=error_responses(401, 404, 422)
)


class Box(StrEnum):
    to_score = "to_score"  # waiting for my estimate
    estimating = "estimating"  # every round I am asked in
    started = "started"  # rounds on my projects


class RoundListItem(BaseModel):
    id: int
    project_id: int
    project_title: str
    owner_name: str
    status: RoundStatus
    version: int
    created_at: datetime
    you_submitted: bool
    estimators: int
    estimates: int


def _person(row: PersonRow) -> EstimatorPublic:
    shown = row.estimate
    estimate = (
        EstimatePublic(
            **{
                name: getattr(shown, name)
                for name in EstimatePublic.model_fields
                if name not in ("priority", "rank")
            },
            priority=row.priority,
            rank=row.rank,
        )
        if shown is not None
        else None
    )
    return EstimatorPublic(
        user_id=row.user_id,
        display_name=row.name,
        submitted=row.participant.submitted,
        left_team=row.participant.left_team,
        estimate=estimate,
    )


_ROUND_COLUMNS = (
    "id",
    "project_id",
    "team_id",
    "started_by_id",
    "status",
    "version",
    "created_at",
    "revealed_at",
    "closed_at",
    "assessment_id",
    "decision_note",
)


def public(page: RoundPage) -> RoundPublic:
    r = page.round
    mine = page.mine
    return RoundPublic(
        **{name: getattr(r, name) for name in _ROUND_COLUMNS},
        project_title=page.view.project.title,
        you_estimate=page.view.is_estimator,
        you_submitted=bool(mine and mine.participant.submitted),
        values_visible=page.visible,
        estimators=[_person(row) for row in page.people],
        spread=[
            ScoreSpread(
                score=s.score.value,
                min=s.min,
                max=s.max,
                median=s.median,
                proposed=s.proposed,
                wide=s.wide,
                text=s.text,
            )
            for s in page.spreads
        ],
    )


def _reload(session: Session, user: User, round_id: int) -> RoundPublic:
    return public(round_page(session, user=user, round_id=round_id))


@router.get(
    "/rounds",
    response_model=list[RoundListItem],
    summary="Scoring rounds: waiting for your estimate, all you are asked in, or on your projects",
)
def list_rounds(session: SessionDep, user: ApiUser, box: Box = Box.to_score) -> list:
    lister = {
        Box.to_score: queries.to_score,
        Box.estimating: queries.estimating,
        Box.started: queries.started_by,
    }
    return [
        RoundListItem(
            **{n: getattr(row.round, n) for n in ("id", "project_id", "status", "version")},
            created_at=row.round.created_at,
            project_title=row.project_title,
            owner_name=row.owner_name,
            you_submitted=row.submitted,
            estimators=row.estimators,
            estimates=row.estimates,
        )
        for row in lister[box](session, user=user)
    ]


@router.post(
    "/projects/{project_id}/rounds",
    response_model=RoundPublic,
    status_code=201,
    responses=error_responses(403, 409),
    summary="Start a scoring round: ask members of the project's team for estimates (owner)",
)
def create_round(
    session: SessionDep, user: ApiUser, project_id: IdPath, data: RoundCreate
) -> RoundPublic:
    project = project_queries.project_for(session, user=user, project_id=project_id)
    scoring_round = service.round_start(session, project=project, actor=user, data=data)
    session.commit()
    return _reload(session, user, scoring_round.id)


@router.get(
    "/rounds/{round_id}",
    response_model=RoundPublic,
    summary="Read a scoring round (values hidden until you submit or the owner reveals)",
)
def read_round(session: SessionDep, user: ApiUser, round_id: IdPath) -> RoundPublic:
    return _reload(session, user, round_id)


@router.put(
    "/rounds/{round_id}/estimate",
    response_model=RoundPublic,
    responses=error_responses(403, 409),
    summary="Give or change your own estimate: three scores and a rationale each",
    description="`version` is your estimate's as you loaded it; left out, your estimate is "
    "replaced. Refused with 409 `round_changed` once the owner closed the round.",
)
def put_estimate(
    session: SessionDep, user: ApiUser, round_id: IdPath, data: EstimateIn
) -> RoundPublic:
    view = queries.round_for(session, user=user, round_id=round_id)
    service.estimate_submit(session, view=view, actor=user, data=data)
    session.commit()
    return _reload(session, user, round_id)


@router.post(
    "/rounds/{round_id}/reveal",
    response_model=RoundPublic,
    responses=error_responses(403, 409),
    summary="Reveal the estimates to everyone in the round (owner)",
)
def reveal_round(
    session: SessionDep, user: ApiUser, round_id: IdPath, data: RoundReveal | None = None
) -> RoundPublic:
    view = queries.round_for(session, user=user, round_id=round_id)
    service.round_reveal(session, view=view, version=data.version if data else None)
    session.commit()
    return _reload(session, user, round_id)


@router.post(
    "/rounds/{round_id}/close",
    response_model=RoundPublic,
    responses=error_responses(403, 409),
    summary="Decide: adopt a value per score as the project's next assessment (owner)",
    description="`version` is the round's as you saw it; an estimate given or changed since "
    "makes it a 409 `round_changed`. A score left out of `adopt` takes the median.",
)
def close_round(
    session: SessionDep, user: ApiUser, round_id: IdPath, data: RoundClose
) -> RoundPublic:
    view = queries.round_for(session, user=user, round_id=round_id)
    service.round_close(session, view=view, actor=user, data=data)
    session.commit()
    return _reload(session, user, round_id)

"""Browser pages of reviews: sharing a plan up, the queue, a review."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.reviews import queries
from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/reviews", name="review_queue")
def review_queue(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "reviews/queue.html",
        {
            "waiting": queries.queue(session, user=user),
            "others": queries.team_open(session, user=user),
            "sent": queries.sent_by(session, user=user),
        },
    )

"""The team portfolio: a manager's view of the team's shared projects."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

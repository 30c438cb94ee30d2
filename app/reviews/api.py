"""The reviews API."""

from fastapi import APIRouter

from app.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["reviews"], responses=error_responses(401))

"""Every feature's table models, imported so SQLModel.metadata knows them all
(Alembic's autogenerate and the drift check read it)."""

from sqlmodel import SQLModel

from app.auth.models import ApiToken, LoginAttempt, User, UserSession
from app.projects.models import Assessment, PlanVersion, Project, ProjectKeyword

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "Assessment",
    "LoginAttempt",
    "PlanVersion",
    "Project",
    "ProjectKeyword",
    "User",
    "UserSession",
    "metadata",
]

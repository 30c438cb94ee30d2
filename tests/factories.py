"""Builders for test data, going through the same services as the app."""

from itertools import count

from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.deps import SESSION_COOKIE
from app.auth.models import User, UserCreate
from app.projects import service as project_service
from app.projects.models import Project, ProjectCreate

PASSWORD = "correct horse battery staple"
_seq = count(1)


def make_user(db: Session, *, email: str | None = None, display_name: str = "Researcher") -> User:
    email = email or f"user{next(_seq)}@example.org"
    user = auth_service.user_create(
        db, data=UserCreate(email=email, display_name=display_name, password=PASSWORD)
    )
    db.commit()
    return user


def log_in(client, db: Session, user: User) -> None:
    """Give the client a session cookie without paying for Argon2 each time."""
    issued = auth_service.session_create(db, user=user)
    db.commit()
    client.cookies.set(SESSION_COOKIE, issued.raw)


def make_token(db: Session, user: User, name: str = "test") -> str:
    issued = auth_service.token_create(db, user=user, name=name)
    db.commit()
    return issued.raw


def project_data(
    title: str | None = None,
    *,
    attainability: int = 3,
    scoop_risk: int = 3,
    impact: int = 3,
    success_axis: str = "best",
    keywords: list[str] | None = None,
    status: str = "idea",
    **plan: str,
) -> dict:
    return {
        "title": title or f"Project {next(_seq)}",
        "summary": "",
        "keywords": keywords or [],
        "status": status,
        "assessment": {
            "attainability": attainability,
            "scoop_risk": scoop_risk,
            "impact": impact,
            "success_axis": success_axis,
        },
        "plan": plan,
    }


def make_project(db: Session, owner: User, title: str | None = None, **kwargs) -> Project:
    data = ProjectCreate.model_validate(project_data(title, **kwargs))
    project = project_service.project_create(db, owner=owner, data=data)
    db.commit()
    return project

"""One-click unsubscribe links (RFC 8058): a token signed with the
instance's secret key that names a user and one kind of mail. It is never
stored (nothing to hash at rest), it only ever turns that kind off for that
user, and its salt keeps it from passing for any other signed value
(flash cookies, CSRF tokens) or they for it."""

from itsdangerous import BadSignature, URLSafeSerializer

from app.config import Settings
from app.mail.preferences import UNSUBSCRIBE_KINDS

SALT = "goldfish.mail.unsubscribe"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=SALT)


def unsubscribe_token(settings: Settings, *, user_id: int, kind: str) -> str:
    assert kind in UNSUBSCRIBE_KINDS
    return _serializer(settings).dumps([user_id, kind])


def unsubscribe_read(settings: Settings, token: str) -> tuple[int, str] | None:
    """(user id, kind) from a genuine token; None for anything else."""
    try:
        value = _serializer(settings).loads(token[:200])
    except BadSignature:
        return None
    match value:
        case [int(user_id), str(kind)] if kind in UNSUBSCRIBE_KINDS and user_id > 0:
            return user_id, kind
    return None

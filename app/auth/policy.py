"""What a password must be: long enough, and not one an attacker tries early.

zxcvbn estimates how many guesses a password takes from the lists it ships
(passwords common in breaches, names, English words, keyboard patterns) and
from repeats, sequences and dates; nothing is sent anywhere. A password it
rates below "safely unguessable" (3 of 4: about 10^8 guesses or more) is
refused, with its reason, beside the field.
"""

from zxcvbn import zxcvbn

MIN_LENGTH = 12  # ASVS 4.0 V2.1.1
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn's work grows with the length; a prefix this long tells already.
_SCORED_PREFIX = 100


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why this password is refused, in words for the form; None if it is fine.
    `user_inputs`: the account's email and name, which a password must not
    lean on."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    words = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=words)
    if verdict["score"] >= MIN_SCORE:
        return None
    warning = verdict["feedback"]["warning"] or "This password is too easy to guess."
    return f"{warning.rstrip('.')}. Try a few uncommon words together, or a password manager's."

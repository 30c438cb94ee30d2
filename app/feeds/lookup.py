"""Looking arXiv ids up on arXiv's API, for `goldfish import releases
ids.txt`: the ids go in batches to the API's `id_list` query, read with what
a feed's poll uses (the same guarded fetch, the same Atom parsing), and come
back as releases for `releases_import`. No database; nothing is written
unless every id was found."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from app.feeds.fetch import FetchError, fetch_feed
from app.feeds.parse import Entry, ParseError, parse_feed
from app.feeds.polling import PollSettings
from app.releases.imports import MAX_ARXIV_IDS, BadImportFile, validated_releases
from app.releases.models import ReleaseCreate

# arXiv's API terms: at most one request every three seconds, a single
# connection; its manual fetches id lists in slices like these.
BATCH = 100
PAUSE_SECONDS = 3.0
_MISSING_NAMED = 5  # unknown ids named in the one-line message


def arxiv_id_list_url(api_url: str, ids: list[str]) -> str:
    """The API query for these ids ('arxiv:2305.11206' or bare), all on one page."""
    bare = [i.removeprefix("arxiv:") for i in ids]
    return f"{api_url}?{urlencode({'id_list': ','.join(bare), 'max_results': len(bare)})}"


def arxiv_releases(
    ids: list[tuple[int, str]],
    *,
    api_url: str,
    how: PollSettings,
    batch: int = BATCH,
    pause: float = PAUSE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ReleaseCreate]:
    """One release per (line, arXiv id), in the file's order (an id twice
    gives the same release twice: the import skips the second). A failed
    lookup, or an id arXiv does not know, is a BadImportFile."""
    wanted = list(dict.fromkeys(arxiv for _, arxiv in ids))
    found: dict[str, Entry] = {}
    for start in range(0, len(wanted), batch):
        if start:
            sleep(pause)
        chunk = wanted[start : start + batch]
        url = arxiv_id_list_url(api_url, chunk)
        try:
            fetched = fetch_feed(
                url, allow_private=how.allow_private, timeout=how.timeout, max_bytes=how.max_bytes
            )
            parsed = parse_feed(
                fetched.body, url=fetched.final_url, content_type=fetched.content_type
            )
        except (FetchError, ParseError) as exc:
            done = f" (after {start} of {len(wanted)} ids)" if start else ""
            raise BadImportFile(f"the arXiv lookup failed{done}: {exc}") from None
        asked = set(chunk)
        for entry in parsed.entries:
            # arXiv answers an id it does not have with an entry without a date.
            if entry.external_id in asked and entry.published is not None:
                found.setdefault(entry.external_id, entry)
    missing = [(line, arxiv) for line, arxiv in ids if arxiv not in found]
    if missing:
        named = ", ".join(
            f"line {line} ({arxiv.removeprefix('arxiv:')})"
            for line, arxiv in missing[:_MISSING_NAMED]
        )
        more = f" and {len(missing) - _MISSING_NAMED} more" if len(missing) > _MISSING_NAMED else ""
        raise BadImportFile(f"not found on arXiv: {named}{more}")
    return validated_releases(
        ((f"line {line}", _record(found[arxiv])) for line, arxiv in ids), limit=MAX_ARXIV_IDS
    )


def _record(entry: Entry) -> dict:  # found: it has an arXiv id and a date
    return {
        "title": entry.title,
        "kind": entry.kind,
        "organisation": entry.organisation,
        "released_on": entry.published.isoformat(),
        "url": entry.url or f"https://arxiv.org/abs/{entry.external_id.removeprefix('arxiv:')}",
        "summary": entry.summary,
    }

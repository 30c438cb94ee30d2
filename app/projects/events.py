"""What projects tell the features above them (blinker signals, received
in the sender's transaction)."""

from blinker import Namespace

_signals = Namespace()

# Projects are about to leave the team they were shared with (made private,
# moved to another team, or their owner left it). Sent with session=,
# project_ids=.
leaving_team = _signals.signal("projects-leaving-team")

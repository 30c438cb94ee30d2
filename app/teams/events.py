"""What teams tell the features above them (blinker signals; receivers run
in the sender's transaction, so their writes land with its change or not at
all). Teams sit low in the layers: projects, journal entries and reviews
refer to teams, so teams cannot call them; they listen instead."""

from blinker import Namespace

_signals = Namespace()

# A member is about to leave a team (or be removed), before the membership
# is deleted. Sent with session=, team_id=, user_id=. What they shared with
# the team stops being shared; what was waiting for them goes to others.
member_leaving = _signals.signal("member-leaving")

# A manager becomes a researcher. Sent with session=, team_id=, user_id=.
manager_stepping_down = _signals.signal("manager-stepping-down")

"""What the soak's simulated people do, one `step()` (a request or two) at a
time: a mixed reader/writer, a writer of marked records, a re-planner.

Each keeps what it learned between steps (a project's version, the ids the
server acknowledged), as a script driving the API would; `connect()` gives
it a fresh connection after a server restart."""

import random
from datetime import date

from bench.soak_client import Client, Recorder
from bench.soak_db import Ledger, SeededUser, project_payload

API = "/api/v1"
ENTRY_KINDS = ("experiment", "reading", "evaluation", "writing", "planning")
SCORES = ("attainability", "scoop_risk", "impact")
DECISIONS = ("differentiate", "evaluate", "build_on", "collaborate")

READS = {
    "GET projects": 15,
    "GET project": 20,
    "GET releases": 10,
    "GET journal": 15,
    "GET plans": 10,
}
WRITES = {
    "POST journal entry": 12,
    "PATCH project scores": 10,
    "POST release": 4,
    "POST project": 4,
}
MIXED = READS | WRITES  # 70 % reads, 30 % writes


class Agent:
    """A simulated API user: one token, one keep-alive connection at a time."""

    def __init__(self, token: str, rng: random.Random, tag: str) -> None:
        self.token = token
        self.rng = rng
        self.tag = tag  # unique among agents: markers and URLs stay unique
        self.n = 0
        self.client: Client | None = None

    def connect(self, base_url: str, recorder: Recorder) -> "Agent":
        self.client = Client(base_url, self.token, recorder)
        return self

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    def marker(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.tag}-{self.n}"

    async def step(self) -> bool:
        """Do one thing; True if the server refused the connection (it is down)."""
        raise NotImplementedError

    @staticmethod
    def field(response, name: str):
        """A field of a JSON answer, or None if the answer is not what the API documents."""
        try:
            return response.json().get(name)
        except (ValueError, AttributeError):
            return None

    def refused(self, response) -> bool:
        return response is None and self.client.last_status == "refused"


class MixedAgent(Agent):
    """Reads and writes one user's things in the proportions of `mix`. Two
    agents may share a user (and its list of projects): their re-scorings
    then race, and the loser gets an honest 409."""

    def __init__(
        self,
        token: str,
        rng: random.Random,
        tag: str,
        owner: SeededUser,
        mix: dict[str, int] = MIXED,
    ) -> None:
        super().__init__(token, rng, tag)
        self.owner = owner
        self.versions: dict[int, int] = {}
        self.ops = list(mix)
        self.weights = list(mix.values())
        self.handlers = {
            "GET projects": self.list_projects,
            "GET project": self.read_project,
            "GET releases": self.list_releases,
            "GET journal": self.list_entries,
            "GET plans": self.list_plans,
            "POST journal entry": self.write_entry,
            "PATCH project scores": self.rescore,
            "POST release": self.log_release,
            "POST project": self.create_project,
        }

    async def step(self) -> bool:
        op = self.rng.choices(self.ops, self.weights)[0]
        return self.refused(await self.handlers[op]())

    def _project(self) -> int:
        return self.rng.choice(self.owner.project_ids)

    async def list_projects(self):
        return await self.client.call("GET projects", "GET", f"{API}/projects")

    async def read_project(self, project_id: int | None = None):
        project_id = project_id or self._project()
        response = await self.client.call("GET project", "GET", f"{API}/projects/{project_id}")
        if response is not None and response.status_code == 200:
            self._note_version(project_id, response)
        return response

    def _note_version(self, project_id: int, response) -> None:
        version = self.field(response, "version")
        if isinstance(version, int):
            self.versions[project_id] = version

    async def list_releases(self):
        return await self.client.call("GET releases", "GET", f"{API}/releases?limit=50")

    async def list_entries(self):
        return await self.client.call("GET journal", "GET", f"{API}/journal/entries?limit=50")

    async def list_plans(self):
        project_id = self._project()
        return await self.client.call("GET plans", "GET", f"{API}/projects/{project_id}/plans")

    async def write_entry(self):
        body = {
            "kind": self.rng.choice(ENTRY_KINDS),
            "body": f"{self.marker('mixed')}: ran the ablation, the data mix matters most.",
            "project_id": self._project() if self.rng.random() < 0.5 else None,
        }
        return await self.client.call(
            "POST journal entry", "POST", f"{API}/journal/entries", json=body
        )

    async def rescore(self):
        project_id = self._project()
        body = {
            "version": self.versions.get(project_id, 1),
            "assessment": {self.rng.choice(SCORES): self.rng.randint(1, 5)},
        }
        response = await self.client.call(
            "PATCH project scores", "PATCH", f"{API}/projects/{project_id}", json=body
        )
        if response is not None and response.status_code == 200:
            self._note_version(project_id, response)
        elif response is not None and response.status_code == 409:
            # As the 409 says: read it again (a real client would then re-apply).
            return await self.read_project(project_id)
        return response

    async def log_release(self):
        body = {
            "title": f"A release seen by {self.tag}",
            "kind": self.rng.choice(("paper", "model", "dataset")),
            "released_on": date.today().isoformat(),
            "url": f"https://example.org/soak/{self.marker('release')}",
        }
        return await self.client.call("POST release", "POST", f"{API}/releases", json=body)

    async def create_project(self):
        body = project_payload(self.rng, f"Soak project {self.marker('project')}")
        response = await self.client.call("POST project", "POST", f"{API}/projects", json=body)
        project_id = self.field(response, "id") if response is not None else None
        if response is not None and response.status_code == 201 and isinstance(project_id, int):
            self.owner.project_ids.append(project_id)
            self.versions[project_id] = 1
        return response


class MarkedWriter(Agent):
    """Writes journal entries and projects whose text is a unique marker, and
    notes in the ledgers which ones the server acknowledged (and with what id)."""

    def __init__(
        self,
        token: str,
        rng: random.Random,
        tag: str,
        entries: Ledger,
        projects: Ledger,
        project_share: float = 0.3,
    ) -> None:
        super().__init__(token, rng, tag)
        self.entries = entries
        self.projects = projects
        self.project_share = project_share

    async def step(self) -> bool:
        if self.rng.random() < self.project_share:
            marker = self.marker("wp")
            body = project_payload(self.rng, marker)
            response = await self.client.call("POST project", "POST", f"{API}/projects", json=body)
            ledger = self.projects
        else:
            marker = self.marker("we")
            body = {"kind": self.rng.choice(ENTRY_KINDS), "body": marker}
            response = await self.client.call(
                "POST journal entry", "POST", f"{API}/journal/entries", json=body
            )
            ledger = self.entries
        if response is not None and 200 <= response.status_code < 300:
            ledger.acked[marker] = self.field(response, "id")  # None: reported missing
        else:
            ledger.unacked[marker] = self.client.last_status
        return self.refused(response)


class Replanner(Agent):
    """Re-plans its user's projects after scoops, one after another, keeping
    track of each project's version; re-reads it when unsure."""

    def __init__(
        self, token: str, rng: random.Random, tag: str, owner: SeededUser, replans: Ledger
    ) -> None:
        super().__init__(token, rng, tag)
        self.owner = owner
        self.replans = replans
        self.versions: dict[int, int | None] = dict.fromkeys(owner.project_ids, 1)

    async def step(self) -> bool:
        project_id = self.rng.choice(self.owner.project_ids)
        if self.versions[project_id] is None:
            response = await self.client.call("GET project", "GET", f"{API}/projects/{project_id}")
            version = self.field(response, "version") if response is not None else None
            if response is not None and response.status_code == 200 and isinstance(version, int):
                self.versions[project_id] = version
            return self.refused(response)
        marker = self.marker("replan")
        body = {
            "version": self.versions[project_id],
            "release": {
                "title": f"Their release {marker}",
                "kind": "model",
                "released_on": date.today().isoformat(),
                "url": f"https://example.org/scoop/{marker}",
            },
            "effect": self.rng.choice(("scoop", "partial_scoop")),
            "what_they_did": marker,
            "what_stands": "Our evaluation suite and the low-resource results.",
            "decision": self.rng.choice(DECISIONS),
            "assessment": {
                "attainability": self.rng.randint(1, 5),
                "scoop_risk": self.rng.randint(1, 5),
                "impact": self.rng.randint(1, 5),
                "success_axis": self.rng.choice(("best", "open")),
            },
            "plan": {
                "goal": "Be the careful, open evaluation of what they shipped.",
                "approach": "Reproduce their headline numbers, then stress them.",
            },
        }
        response = await self.client.call(
            "POST replan", "POST", f"{API}/projects/{project_id}/replans", json=body
        )
        if response is not None and response.status_code == 201:
            self.replans.acked[marker] = self.field(response, "id")  # None: reported missing
            self.versions[project_id] += 1
        else:
            self.replans.unacked[marker] = self.client.last_status
            self.versions[project_id] = None  # it may or may not have landed: re-read
        return self.refused(response)

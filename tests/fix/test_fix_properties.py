"""Property tests of ``fix`` over generated compose projects (hypothesis): it never raises,
fixing twice equals fixing once, what was fixable is gone afterwards, no file gets broken, and
a project Compose accepted is still accepted."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composeguard.fix.apply.plan import plan_fixes
from composeguard.fix.write import write_changes
from composeguard.lint.engine.selection import Selection
from composeguard.lint.project import Project
from composeguard.runner import run

from ..conftest import built
from .compose_binary import compose_config

VOLUME_RULES = Selection(select=("CG101", "CG102"))
FILE_RULES = Selection(select=("CG0",))

IMAGES = {
    "mysql:8.4": "/var/lib/mysql",
    "mariadb:11": "/var/lib/mysql",
    "postgres:16": "/var/lib/postgresql/data",
    "postgres:18": "/var/lib/postgresql",
    "postgres": "/var/lib/postgresql",  # the moving tag starts today's major, 18
    "mongo:7": "/data/db",
    "redis:7-alpine": "/data",
    "rabbitmq:3-management": "/var/lib/rabbitmq",
    "nginx:1.27": "/usr/share/nginx/html",
}
WRONG = {"/var/lib/postgresql/data": "/var/lib/postgresql",
         "/var/lib/postgresql": "/var/lib/postgresql/data"}
MOUNT_KINDS = ("named", "anonymous", "anonymous-elsewhere", "bind", "wrong-directory")


@dataclass(frozen=True)
class Mount:
    kind: str
    long_syntax: bool


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    image: str
    mounts: tuple[Mount, ...]
    flow_list: bool
    anchored: bool
    quote: str


@dataclass(frozen=True)
class ProjectSpec:
    services: tuple[ServiceSpec, ...]
    indent: int
    dash_offset: bool
    section: str
    newline: str
    trailing_comment: bool
    override: bool


def services() -> st.SearchStrategy[tuple[ServiceSpec, ...]]:
    service = st.builds(
        ServiceSpec,
        name=st.just(""),
        image=st.sampled_from(sorted(IMAGES)),
        mounts=st.lists(st.builds(Mount, st.sampled_from(MOUNT_KINDS), st.booleans()),
                        max_size=2).map(tuple),
        flow_list=st.booleans(),
        anchored=st.booleans(),
        quote=st.sampled_from(["", '"', "'"]),
    )
    names = ["db", "cache", "queue", "store", "db-2", "app"]
    return st.lists(service, min_size=1, max_size=4).map(
        lambda found: tuple(
            ServiceSpec(names[i], s.image, s.mounts, s.flow_list, s.anchored, s.quote)
            for i, s in enumerate(found)))


projects = st.builds(
    ProjectSpec,
    services=services(),
    indent=st.sampled_from([2, 4]),
    dash_offset=st.booleans(),
    section=st.sampled_from(["block", "flow", "none"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    trailing_comment=st.booleans(),
    override=st.booleans(),
)


def mount_text(service: ServiceSpec, index: int, mount: Mount
               ) -> tuple[str | dict[str, str], str | None]:
    """The mount as a short spec or long-syntax mapping, and the named volume it uses."""
    data_dir = IMAGES[service.image]
    name = f"v_{service.name.replace('-', '_')}_{index}"
    source, target = {
        "named": (name, data_dir),
        "anonymous": (None, data_dir),
        "anonymous-elsewhere": (None, f"/srv/cache{index}"),
        "bind": (f"./data/{service.name}{index}", data_dir),
        "wrong-directory": (name, WRONG.get(data_dir, f"/opt/other{index}")),
    }[mount.kind]
    volume = name if mount.kind in ("named", "wrong-directory") else None
    if mount.long_syntax:
        entry = {"type": "bind" if mount.kind == "bind" else "volume", "target": target}
        if source is not None:
            entry["source"] = source
        return entry, volume
    return (f"{source}:{target}" if source else target), volume


def render(spec: ProjectSpec) -> dict[str, str]:
    u = " " * spec.indent
    dash = u if spec.dash_offset else ""
    anchors: list[str] = []
    body: list[str] = ["services:"]
    volumes: list[str] = []
    for service in spec.services:
        q = service.quote
        lines = [f"image: {q}{service.image}{q}"]
        mounts = [mount_text(service, i, m) for i, m in enumerate(service.mounts)]
        volumes += [v for _, v in mounts if v]
        if mounts and service.flow_list:
            items = [f'"{m}"' if isinstance(m, str) else
                     "{" + ", ".join(f"{k}: {v}" for k, v in m.items()) + "}" for m, _ in mounts]
            lines.append(f"volumes: [{', '.join(items)}]")
        elif mounts:
            lines.append("volumes:")
            for m, _ in mounts:
                if isinstance(m, str):
                    lines.append(f"{dash}- {q}{m}{q}")
                else:
                    pairs = list(m.items())
                    lines.append(f"{dash}- {pairs[0][0]}: {pairs[0][1]}")
                    lines += [f"{dash}  {k}: {v}" for k, v in pairs[1:]]
        if service.anchored:
            anchor = f"{service.name}-base"
            anchors.append(f"x-{service.name}: &{anchor}")
            anchors += [u + line for line in lines]
            body += [f"{u}{service.name}:", f"{u}{u}<<: *{anchor}"]
        else:
            body.append(f"{u}{service.name}:  # {service.name}")
            body += [u + u + line for line in lines]
    if spec.section == "block" or (volumes and spec.section == "none"):
        body.append("volumes:")
        body += [f"{u}{v}:" for v in volumes] or []
    elif spec.section == "flow":
        body.append("volumes: {" + ", ".join(f"{v}: {{}}" for v in volumes) + "}")
    if spec.trailing_comment:
        body.append("# the end")
    text = "\n".join(anchors + body) + "\n"
    files = {"compose.yaml": text.replace("\n", spec.newline)}
    if spec.override:
        first = spec.services[0].name
        files["compose.override.yaml"] = f"services:\n  {first}:\n    environment:\n      A: '1'\n"
    return files


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects)
def test_fix_is_idempotent_and_leaves_nothing_fixable(spec: ProjectSpec) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        for name, text in render(spec).items():
            (root / name).write_bytes(text.encode())
        before = run(Project([root]), VOLUME_RULES).findings
        fixed = len([f for f in before if built(f)])  # built now: files change below
        broken_before = Counter(f.code for f in run(Project([root]), FILE_RULES).findings)
        valid_before = compose_config([root / "compose.yaml"], root)[0]

        plan = plan_fixes([root], selection=VOLUME_RULES, unsafe=True)
        assert not plan.errors
        assert all(r.written for r in write_changes(plan.changes, [root]))

        again = plan_fixes([root], selection=VOLUME_RULES, unsafe=True)
        assert again.changes == (), [c.after for c in again.changes]
        after = run(Project([root]), VOLUME_RULES).findings
        assert [f.message for f in after if built(f)] == []
        assert len(after) == len(before) - fixed
        broken_after = Counter(f.code for f in run(Project([root]), FILE_RULES).findings)
        assert broken_after - broken_before == Counter()
        if valid_before and plan.changes:
            assert compose_config([root / "compose.yaml"], root) == (True, "")
            if spec.override:
                assert compose_config([root / "compose.yaml", root / "compose.override.yaml"],
                                      root) == (True, "")


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*!#'\"|>\t\r")), max_size=80))
def test_fix_never_raises_on_odd_yaml(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "compose.yaml").write_text("services:\n  db:\n    image: mysql\n" + text)
        plan = plan_fixes([root], selection=VOLUME_RULES, unsafe=True)
        assert not plan.errors
        assert all(r.written for r in write_changes(plan.changes, [root]))
        assert plan_fixes([root], selection=VOLUME_RULES, unsafe=True).changes == ()

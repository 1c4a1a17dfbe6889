"""Students as Unix users on a one-server JupyterHub (run as root), from a roster file.

Usage::

    python -m tools.hub_users add hub/roster.txt      # useradd + a random password each; prints them
    python -m tools.hub_users remove hub/roster.txt   # stops their processes, userdel -r (home too)

The roster has one user name a line (``#`` starts a comment); the hub's PAM authenticator lets in
exactly those names (``hub/jupyterhub_config.py`` reads the same file). ``add`` never changes a
user that already exists: it says so and leaves the password alone. The hub tests and
``benchmarks.bench_hub`` create their students with these functions, marked with their own
comment (GECOS) so that a crashed run's users can be found and removed, and only those
(``tools.hub_driver.remove_leftovers``).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
COMMENT = "linreg-utils class student"


def read_roster(path: Path) -> list[str]:
    """The user names in a roster file, in order, each checked."""
    names = []
    for line in Path(path).read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if not NAME.match(name):
            raise ValueError(f"{path}: {name!r} is not a valid Unix user name (lower case, ≤ 32 characters)")
        names.append(name)
    return names


def exists(name: str) -> bool:
    """Whether a Unix user of that name exists."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def add_users(names: list[str], comment: str = COMMENT) -> dict[str, str]:
    """Create each user with a home and a random password; ``{name: password}`` of those created."""
    if os.geteuid() != 0:
        raise PermissionError("creating Unix users needs root")
    created = {}
    for name in names:
        if not NAME.match(name):
            raise ValueError(f"{name!r} is not a valid Unix user name")
        if exists(name):
            print(f"{name}: exists already, left as it is", file=sys.stderr)
            continue
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, name],
                       check=True)
        password = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        created[name] = password
    return created


def stop_processes(name: str, grace: float = 5.0) -> int:
    """End every process of user ``name`` (SIGTERM, then SIGKILL after ``grace`` s); how many."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return 0
    procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in procs:
            try:
                p.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        _, procs = psutil.wait_procs(procs, timeout=grace)
        if not procs:
            break
    return len(procs)


def remove_users(names: list[str]) -> None:
    """Stop each user's processes, then delete the user and their home folder."""
    for name in names:
        if not exists(name):
            continue
        stop_processes(name)
        for _ in range(3):  # userdel refuses while a process of the user is still exiting
            if subprocess.run(["userdel", "--remove", name], capture_output=True).returncode in (0, 12):
                break
            time.sleep(1)


def marked_users(prefix: str) -> list[tuple[str, str]]:
    """``(name, comment)`` of the users whose comment (GECOS) starts with ``prefix``."""
    return [(u.pw_name, u.pw_gecos) for u in pwd.getpwall() if u.pw_gecos.startswith(prefix)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hub_users", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["add", "remove"])
    parser.add_argument("roster", type=Path, help="one user name a line")
    args = parser.parse_args(argv)
    names = read_roster(args.roster)
    if args.action == "add":
        for name, password in add_users(names).items():
            print(f"{name}\t{password}")
    else:
        remove_users(names)
        print(f"removed {len(names)} users (those that existed) and their homes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

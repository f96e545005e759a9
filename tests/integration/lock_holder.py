"""A process that holds one case's lock (asiakkuuden lukko) until told to let go.

Usage: python lock_holder.py URL CASE_ID

Takes the case's lock as every command does, prints ``held``, waits for a line on stdin,
lets go and prints ``released``.
"""

from __future__ import annotations

import sys
from uuid import UUID

from perhetyo.persistence import settings_for_url
from perhetyo.persistence.locks import case_locks


def main() -> None:
    url, case_id = sys.argv[1:3]
    locks = case_locks(settings_for_url(url))
    try:
        with locks.hold(UUID(case_id)):
            sys.stdout.write("held\n")
            sys.stdout.flush()
            sys.stdin.readline()
        sys.stdout.write("released\n")
        sys.stdout.flush()
    finally:
        locks.close()


if __name__ == "__main__":
    main()

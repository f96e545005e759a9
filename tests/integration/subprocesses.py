"""Helper processes of the concurrency tests (apuprosessit), with every wait bounded."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from uuid import UUID

HERE = Path(__file__).resolve().parent
BUSY_CASE_WRITER = HERE / "busy_case_writer.py"
LOCK_HOLDER = HERE / "lock_holder.py"

WAIT_SECONDS = 30.0
"""The longest any test waits for a helper process to say something or to end."""


def start(script: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``python script args...`` with pipes (the environment, PYTHONPATH too, is kept)."""
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_line(process: subprocess.Popen[str], timeout: float = WAIT_SECONDS) -> str:
    """The process's next line of output, waiting at most ``timeout`` seconds for it."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise TimeoutError(f"no output from {process.args!r} in {timeout} s")
    return process.stdout.readline().strip()


def say(process: subprocess.Popen[str], line: str = "go") -> None:
    """Write one line to the process's stdin."""
    assert process.stdin is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()


def finish(processes: list[subprocess.Popen[str]]) -> list[str]:
    """Wait (bounded) for every process to end successfully; their stdouts.

    A process still running at the deadline, or one that failed, fails the test; every
    process is killed on the way out.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    outputs: list[str] = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            assert process.returncode == 0, err[-3000:]
            outputs.append(out)
    finally:
        kill(processes)
    return outputs


def kill(processes: list[subprocess.Popen[str]]) -> None:
    """Kill the processes still running, reap them and close their pipes."""
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_SECONDS)
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None and not pipe.closed:
                with suppress(OSError):  # stdin of a process that has gone: nothing to flush
                    pipe.close()


class LockHolder:
    """Another process holding one case's lock, as every command takes it."""

    def __init__(self, url: str, case_id: UUID) -> None:
        self.process = start(LOCK_HOLDER, url, str(case_id))
        self.released = False

    def wait_until_held(self) -> None:
        """Wait (bounded) until the holder says it holds the lock."""
        line = read_line(self.process)
        assert line == "held", line

    def release(self) -> None:
        """Tell the holder to let go of the lock, and wait (bounded) until it has."""
        say(self.process, "release")
        assert read_line(self.process) == "released"
        self.released = True


@contextmanager
def lock_held_by_another_process(url: str, case_id: UUID) -> Iterator[LockHolder]:
    """Another process holds the case's lock inside the block, or until ``release()``."""
    holder = LockHolder(url, case_id)
    try:
        holder.wait_until_held()
        yield holder
        if not holder.released:
            holder.release()
        finish([holder.process])
    finally:
        kill([holder.process])

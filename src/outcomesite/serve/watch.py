"""Watch exactly a build's inputs, and wait for a burst of saves to settle.

The inputs are the ones the build's record lists (build/stamps.py `watched_inputs`): the accounts'
folder, the site theme's folders, the config and the logo, wherever it lives. Only those are
watched, never the preview's own output, which every build swaps in and out. An editor's
write-temp-then-rename is several events in a few milliseconds: `Settle` turns a burst into one
rebuild by waiting on a condition until no event has come for a while.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from outcomesite.build.stamps import Watched
from outcomesite.layout import ACCOUNTS_DIR


class Settle:
    """Events mark the inputs changed; `wait` returns once they have been quiet for `quiet` s."""

    def __init__(self, quiet: float) -> None:
        self.quiet = quiet
        self._condition = threading.Condition()
        self._last: float | None = None  # the time of the latest event not yet handed out
        self._stopping = False

    def mark(self) -> None:
        with self._condition:
            self._last = time.monotonic()
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()

    def wait(self) -> bool:
        """Block until a burst of events has settled (True) or `stop` was called (False)."""
        with self._condition:
            while not self._stopping:
                if self._last is None:
                    self._condition.wait()
                    continue
                remaining = self._last + self.quiet - time.monotonic()
                if remaining <= 0:
                    self._last = None
                    return True
                self._condition.wait(timeout=remaining)
            return False


class _Handler(FileSystemEventHandler):
    def __init__(self, settle: Settle, folders: list[Path], files: set[Path]) -> None:
        self.settle = settle
        self.folders = folders
        self.files = files

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
            if raw and self.concerns(Path(os.fsdecode(raw))):
                self.settle.mark()
                return

    def concerns(self, path: Path) -> bool:
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)


class InputWatcher:
    """A file-system watch on the inputs; `watch` again when they change (a new theme or logo)."""

    def __init__(self, root: Path, settle: Settle) -> None:
        self.root = root.resolve()
        self.settle = settle
        self.observer = Observer()
        self.observer.start()
        self._watching: tuple[list[Path], set[Path]] | None = None

    def watch(self, inputs: Watched) -> None:
        folders = [self.root / ACCOUNTS_DIR] + [
            folder
            for folder in (self.root / name for name in inputs["folders"])
            if folder.is_relative_to(self.root)  # the packaged theme is not the user's to edit
        ]
        files = {self.root / name for name in inputs["files"]}
        if self._watching == (folders, files):
            return
        self._watching = (folders, files)
        self.observer.unschedule_all()
        handler = _Handler(self.settle, folders, files)
        for folder in folders:
            if folder.is_dir():
                self.observer.schedule(handler, str(folder), recursive=True)
        for parent in sorted({file.parent for file in files} - set(folders)):
            if parent.is_dir():
                self.observer.schedule(handler, str(parent), recursive=False)

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)

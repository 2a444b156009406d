"""What the grading tests look for after a batch: processes that should not exist."""
import os


def processes_with(marker: str) -> list:
    """PIDs of the processes whose command line contains ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found

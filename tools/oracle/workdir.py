"""Work directories for the oracle harnesses.

They live under ~/.cache/cfkit/work ($CFKIT_TMP if set), never in the
checkout, which may sit below a world-writable /tmp: sendmail warns about
world-writable directories on the way to the files it reads and refuses map
files below them. Each directory is mode 0755 whatever the umask.
"""

import os
import pathlib
import tempfile


def make(prefix):
    """A new, empty work directory whose name starts with `prefix`."""
    given = os.environ.get("CFKIT_TMP")
    base = pathlib.Path(given) if given else pathlib.Path(os.environ.get("HOME", "/root")) / ".cache/cfkit/work"
    base.mkdir(mode=0o755, parents=True, exist_ok=True)
    if not given:
        os.chmod(base, 0o755)  # ours; a directory the user names is left as it is
    work = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=str(base)))
    os.chmod(work, 0o755)
    return work

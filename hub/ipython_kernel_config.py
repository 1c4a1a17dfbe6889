# Every kernel of the class environment reads this file: `make hub-setup` copies it and
# kernel_startup.py to hub/.venv/etc/ipython/, the single-user image to /usr/local/etc/ipython/
# (IPython reads its config from {sys.prefix}/etc/ipython and /usr/local/etc/ipython).
from pathlib import Path

c = get_config()  # noqa: F821 (IPython provides it)
c.InteractiveShellApp.exec_files = [str(Path(__file__).resolve().parent / "kernel_startup.py")]

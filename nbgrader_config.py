# nbgrader's configuration for this course: what a teacher copies into the course folder (next to
# source/), and, on a class server, to /etc/jupyter/nbgrader_config.py so that the teacher and every
# student share it (README, "For teachers" and "Running a class on JupyterHub").
import os

c = get_config()  # noqa: F821 (nbgrader provides it)

# Every course: how long one cell may run when nbgrader executes a notebook (autograde, validate).
# nbgrader's default, 30 s, is too short on a loaded class server. The slowest lesson cell took 3.8 s
# alone and 13.5 s with four lessons executing at once on 2 cores (python -m benchmarks.bench_cell_times,
# load ≈ 4); 120 s leaves a margin of about 9x.
c.Execute.timeout = 120

# A class on one server (hub/jupyterhub_config.py): the course id and nbgrader's exchange folder,
# which every user may write. Create it once, as root:
#     mkdir -p /usr/local/share/nbgrader/exchange && chmod ugo+rwx /usr/local/share/nbgrader/exchange
c.CourseDirectory.course_id = os.environ.get("NBGRADER_COURSE_ID", "optim101")
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/usr/local/share/nbgrader/exchange")

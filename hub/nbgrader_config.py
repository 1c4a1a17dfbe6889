# nbgrader's exchange on a one-server hub: copy this file to /etc/jupyter/nbgrader_config.py
# (or a folder on JUPYTER_CONFIG_PATH) so that the teacher and every student use the same course
# id and exchange folder. Create the folder once, as root:
#     mkdir -p /usr/local/share/nbgrader/exchange && chmod ugo+rwx /usr/local/share/nbgrader/exchange
import os

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = os.environ.get("NBGRADER_COURSE_ID", "optim101")
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/usr/local/share/nbgrader/exchange")

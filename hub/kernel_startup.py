# Run by every kernel of the class environment when it starts (ipython_kernel_config.py, which
# `make hub-setup` and the single-user image install), in the student's namespace: every name
# here is deleted at the end.
#
# After each cell, hand the memory that the cell freed back to the operating system. glibc keeps
# freed heap pages for reuse, so a kernel's resident memory only ever grows: a lesson's temporary
# arrays (a Hessian of 2,000 parameters, 2,000 SGD replicas) stay counted until the kernel ends.
# malloc_trim(0) returns them: lesson 07's kernel ends at 453 MB instead of 519 MB, lesson 01's
# at 461 instead of 480 (python -m benchmarks.bench_kernel_memory --hub), for ~0.1 ms a cell.
# Slider moves run no cell and pay nothing.
import ctypes as _ctypes
import sys as _sys

if _sys.platform.startswith("linux"):
    _libc = _ctypes.CDLL("libc.so.6")

    def _return_freed_memory(*_result, _trim=_libc.malloc_trim):
        _trim(0)

    get_ipython().events.register("post_run_cell", _return_freed_memory)  # noqa: F821 (IPython)
    del _return_freed_memory, _libc
del _ctypes, _sys

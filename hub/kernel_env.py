"""Environment of every student's server and kernel on the class server (read by
``jupyterhub_config.py``; ``python -m benchmarks.bench_kernel_memory --hub-env`` measures it).

- ``OMP_NUM_THREADS=1``: one thread per kernel. The lessons' tensors are tiny, so more threads
  only fight over the cores that the other students share (and each thread's arena costs memory).
- ``MKL_CBWR=COMPATIBLE``: Intel MKL's reproducible code path, so a student's outputs match the
  stored ones on any x86 CPU (with or without AVX-512).
"""

KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_CBWR": "COMPATIBLE",
}

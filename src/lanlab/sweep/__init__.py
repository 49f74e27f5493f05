"""`lanlab sim sweep`: many runs of one topology over seeds and --vary values, on this machine's
cores or a Dask cluster, each run a row (its metrics read from the `sim run --json` document).

    vary.py     --vary PATH=V1,V2 and --seeds 1-1000; paths applied to the topology's plain data
    metrics.py  --metric NAME=EXPR: built-ins and a small path/arithmetic language, no eval
    task.py     one run: Task (all it needs travels with it) -> the run's document -> its row
    plan.py     the product of seeds and values as Tasks, checked before anything runs
    where.py    in process, a process pool, a Dask LocalCluster or a running cluster (--scheduler)
    output.py   --out .csv | .jsonl | .parquet
    resume.py   --resume: the rows --out holds kept, only the other runs made
    plot.py     --plot: histogram, CDF, metric against a varied value (median and quartiles)
    api.py      lanlab.sim.sweep(...)
"""

from lanlab.sweep.api import sweep
from lanlab.sweep.vary import SweepError

__all__ = ["SweepError", "sweep"]

"""The run context: what every stage needs from the run it runs in, and nothing of any stage.

`resources.py` (the landing zone, the warehouse and its publications), `partitions.py` (the
years as partitions, the tags a run carries), `published.py` (the published warehouse's asset
key and metadata names). The stages import it; it imports no stage and nothing of `pipelines/`.
"""

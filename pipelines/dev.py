"""`make dev`: Dagster's webserver and daemon on this project, in DAGSTER_HOME.

The resources read KOMPETENS_RAW_DIR and KOMPETENS_WAREHOUSE through dg.EnvVar, which has no
default: the defaults of pipelines/environment.py are set here, for `dagster dev` and the code
server and runs it starts. `dagster dev` started by hand needs the two variables set.
"""

import os
import shutil
import sys

from pipelines.environment import set_default_environment

if __name__ == "__main__":
    set_default_environment()
    dagster = shutil.which("dagster", path=os.path.dirname(sys.executable)) or "dagster"
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1"])

"""The residents API list, page 1 and page 1000 (20 per page), as a district officer.

DATABASE_URL=postgres://… .venv/bin/python benchmarks/residents_api.py [RUNS]
"""

from _lists import run

from stations.models import Resident

if __name__ == "__main__":
    run("residents", "/api/v1/residents/", Resident)

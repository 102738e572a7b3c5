"""The staff API list, page 1 and page 1000 (20 per page), as a district officer.

DATABASE_URL=postgres://… .venv/bin/python benchmarks/staff_api.py [RUNS]
"""

from _lists import run

from staff.models import StaffMember

if __name__ == "__main__":
    run("staff members", "/api/v1/staff/", StaffMember)

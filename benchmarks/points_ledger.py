"""Points exchanges per second on one volunteer's account, one writer versus eight at once (the
account row is locked per exchange), and the check that the balance never went below zero.

Run against a scratch PostgreSQL database (the ledger is append-only: the rows stay):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wuye_bench
    .venv/bin/python manage.py migrate && .venv/bin/python benchmarks/points_ledger.py 2000
"""

import sys
import threading
import time

import _setup  # noqa: F401 - Django set-up
from django.core.management import call_command
from django.db import connection

from accounts.models import Membership, Organization, User
from regions.models import Region
from staff.models import StaffMember
from volunteers import services
from volunteers.models import PointsAccount, PointsEntry, VolunteerTeam


def main(exchanges: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (migrated).")
    if not Region.objects.filter(code="310105001").exists():
        call_command("import_regions", verbosity=0)
    stamp = time.strftime("%Y%m%d%H%M%S")
    company = Organization.objects.create(
        kind="social_organization", name=f"基准测试互助社{stamp}", region=Region.objects.get(code="310105001")
    )
    user = User.objects.create(username=f"bench{stamp}")
    Membership.objects.create(user=user, organization=company, role="org_admin")
    volunteer = StaffMember.objects.create(
        name="基准志愿者", employer=company, region=company.region, kind="volunteer"
    )
    team = VolunteerTeam.objects.create(organization=company, community=company.region, name="基准队")
    team.members.add(volunteer)
    reward = services.save_reward(by=user, organization=company, name="纸巾", points=1)
    for _ in range((exchanges * 2) // 80 + 1):  # 8 h × 10 points per activity
        services.record_activity(
            by=user,
            team=team,
            held_on=company.created_at.date(),
            category="other",
            title="b",
            hours={volunteer: 8},
        )
    start_balance = PointsAccount.objects.get(volunteer=volunteer).balance

    started = time.perf_counter()
    for _ in range(exchanges):
        services.spend_points(by=user, volunteer=volunteer, reward=reward)
    single = exchanges / (time.perf_counter() - started)

    refused = []

    def worker(count):
        for _ in range(count):
            try:
                services.spend_points(by=user, volunteer=volunteer, reward=reward)
            except Exception:  # noqa: BLE001 - counted, the run goes on
                refused.append(1)
        connection.close()

    threads = [threading.Thread(target=worker, args=(exchanges // 8,)) for _ in range(8)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = (exchanges // 8 * 8) / (time.perf_counter() - started)
    account = PointsAccount.objects.get(volunteer=volunteer)
    spent = PointsEntry.objects.filter(account=account, kind="spend").count()
    print(f"one writer:    {single:8.0f} exchanges/s")
    print(
        f"eight writers: {parallel:8.0f} exchanges/s (serialised on the account row), {len(refused)} refused"
    )
    print(
        f"balance {start_balance} → {account.balance}; {spent} exchanges; "
        f"consistent: {start_balance - spent == account.balance}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

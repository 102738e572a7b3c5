"""The reports' part of ``load_demo``: an evaluation scheme for 长宁区 (every indicator of the
catalogue, weights adding to 100), evaluated for the two months before this one (a month is
evaluated once it has ended), so the scorecards, the ranking and the findings have something to
show. Idempotent."""

from accounts.models import User
from regions.models import Region
from reports.evaluation import services
from reports.models import EvaluationRun, EvaluationScheme


def load():
    officer = User.objects.get(username="cn_civil")
    district = Region.objects.get(code="310105")
    scheme = EvaluationScheme.objects.filter(region=district).first()
    if scheme is None:
        scheme = services.save_scheme(
            None,
            by=officer,
            region=district,
            name="长宁区为老服务站点月度考核",
            indicators=services.default_indicators(),
            note="首个版本",
        )
    last = services.last_month()
    for month in (services.last_month(last), last):
        if not EvaluationRun.objects.filter(
            scheme=scheme, month=month
        ).exists():  # a second load changes nothing
            services.run_evaluation(scheme, month, by=officer)

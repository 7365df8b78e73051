"""Performance models: the KPI catalogue, periods with their targets and weights, computed values with
their evidence, scorecards with their review history, and incentive tiers."""

from .catalogue import KPI, KPIWeight
from .incentives import BonusTier
from .periods import ComputationRun, Evidence, KPIValue, Period, PeriodKPI
from .scorecards import Adjustment, Scorecard, ScorecardEvent

__all__ = ["KPI", "Adjustment", "BonusTier", "ComputationRun", "Evidence", "KPIValue", "KPIWeight", "Period",
           "PeriodKPI", "Scorecard", "ScorecardEvent"]

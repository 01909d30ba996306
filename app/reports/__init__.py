"""Reports (统计) and the reconciliation lists (对账清单) for the secretary and above."""

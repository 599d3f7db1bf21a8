"""Every billing write: masters, demands, bills, bill-collect imports, recalculation hooks, demo data."""

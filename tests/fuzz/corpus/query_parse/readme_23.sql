DROP SLO checkout

"""Member loans (issue 19): /pinjam for members (apply.py), the officers' two approvals and
the payout, /cairkan (officers.py), and what both show (common.py)."""

"""The consent ledger: grants and withdrawals with their proof, and "may we?" answers."""

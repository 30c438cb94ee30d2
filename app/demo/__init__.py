"""Demo data: a realistic portfolio to explore Goldfish with."""

"""Demo data of this app, called by ``manage.py seed_demo`` after the ledger exists.
Must be idempotent: running it twice leaves the same data."""


def seed(*, rng, today, stdout):
    pass

"""The tables the workloads write. Every invariant the workloads check is a query on them."""

from __future__ import annotations

from kakaorm import IntColumn, Model, StrColumn


class StressAccount(Model):
    """An account: transfers move money between accounts, deposits add money."""

    name = StrColumn(nullable=False, max_length=40)
    balance = IntColumn(nullable=False, default=0)
    #: bumped by the "touch" operation (an UPDATE that moves no money)
    version = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "stress_account"


class StressLedger(Model):
    """One row per committed transfer, deposit or batch entry (``source_id`` None: a deposit)."""

    tx = StrColumn(nullable=False, max_length=40, index=True)
    source_id = IntColumn()
    target_id = IntColumn(nullable=False)
    amount = IntColumn(nullable=False)

    class Meta:
        table_name = "stress_ledger"


class StressPair(Model):
    """Each storm transaction writes parts 1 and 2 of its tag: both or neither may exist."""

    tag = StrColumn(nullable=False, max_length=40, index=True)
    part = IntColumn(nullable=False)
    shard = IntColumn(nullable=False)

    class Meta:
        table_name = "stress_pair"


class StressSide(Model):
    """Written in a nested transaction (a savepoint) of a storm transaction."""

    tag = StrColumn(nullable=False, max_length=40, unique=True)

    class Meta:
        table_name = "stress_side"


class StressCounter(Model):
    """Per shard, the number of committed storm transactions of that shard."""

    shard = IntColumn(primary_key=True)
    value = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "stress_counter"


LOAD_MODELS: tuple[type[Model], ...] = (StressAccount, StressLedger)
STORM_MODELS: tuple[type[Model], ...] = (StressPair, StressSide, StressCounter)


class StressFault(Model):
    """Each fault transaction writes parts 1 and 2 of its tag: both or neither may exist."""

    tag = StrColumn(nullable=False, max_length=40, index=True)
    part = IntColumn(nullable=False)

    class Meta:
        table_name = "stress_fault"


FAULT_MODELS: tuple[type[Model], ...] = (StressFault,)

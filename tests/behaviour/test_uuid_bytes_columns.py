"""BytesColumn and UUIDColumn: exact round trips, filters, wrong types, migrations and
pydantic schemas, on every backend."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import BytesColumn, ForeignKey, IntColumn, Model, QueryError, UUIDColumn
from kakaorm.migration import Migrator

U1 = uuid.UUID("12345678-1234-5678-1234-567812345678")
U2 = uuid.UUID("ABCDEF01-2345-6789-ABCD-EF0123456789")


class UbBlob(Model):
    data = BytesColumn()
    data_nn = BytesColumn(nullable=False)
    key = UUIDColumn()
    key_nn = UUIDColumn(nullable=False)
    n = IntColumn()


class UbKeyed(Model):
    id = UUIDColumn(primary_key=True)
    payload = BytesColumn(nullable=False)


class UbChild(Model):
    parent_id = ForeignKey(UbKeyed, nullable=False)


class UbDefaults(Model):
    key = UUIDColumn(nullable=False, default=U2)
    maybe = UUIDColumn(default=U1)
    data = BytesColumn(nullable=False, default=lambda: b"\x00\x01")


class UbBadDefault(Model):
    data = BytesColumn(default=b"x")


async def _reload(obj: UbBlob) -> UbBlob:
    return await UbBlob.get(UbBlob.id == obj.id)


@pytest.mark.parametrize(
    "value",
    [b"", b"\x00", b"a\x00b\x00\x00", bytes(range(256)), b"\xff" * 3, bytes(1024 * 1024)],
    ids=["empty", "nul", "nuls", "all-bytes", "high", "1MiB"],
)
async def test_bytes_round_trip_exactly(engine, value):
    await engine.create_table(UbBlob)
    obj = await UbBlob.create(data=value, data_nn=value, key_nn=U1)
    got = await _reload(obj)
    assert type(got.data) is bytes and type(got.data_nn) is bytes
    assert got.data == value and got.data_nn == value
    assert obj.data == value and type(obj.data) is bytes


async def test_bytearray_and_memoryview_are_stored_and_kept_as_bytes(engine):
    await engine.create_table(UbBlob)
    a = await UbBlob.create(data=bytearray(b"ab\x00"), data_nn=memoryview(b"\x01\x02"), key_nn=U1)
    assert (type(a.data), a.data, type(a.data_nn), a.data_nn) == (bytes, b"ab\x00", bytes, b"\x01\x02")
    got = await _reload(a)
    assert (type(got.data), got.data, type(got.data_nn), got.data_nn) == (bytes, b"ab\x00", bytes, b"\x01\x02")


async def test_uuid_round_trips_exactly_and_a_canonical_str_is_converted(engine, backend):
    await engine.create_table(UbBlob)
    obj = await UbBlob.create(key=U2, key_nn=str(U1).upper(), data_nn=b"")
    assert (type(obj.key_nn), obj.key_nn) == (uuid.UUID, U1)
    got = await _reload(obj)
    assert (type(got.key), got.key, type(got.key_nn), got.key_nn) == (uuid.UUID, U2, uuid.UUID, U1)
    assert got.data is None and got.data_nn == b""
    if backend.family == "sqlite":
        rows = await engine.fetch("SELECT key, key_nn FROM ub_blob")
        assert [tuple(r.values()) if hasattr(r, "values") else tuple(r) for r in rows] == [
            (str(U2), str(U1))
        ]


async def test_uuid_primary_key(engine):
    await engine.create_table(UbKeyed)
    await UbKeyed.create(id=U1, payload=b"x")
    got = await UbKeyed.get(UbKeyed.id == U1)
    assert (type(got.id), got.id, got.payload) == (uuid.UUID, U1, b"x")
    assert [r.id for r in await UbKeyed.where(UbKeyed.id == str(U1))] == [U1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), key=st.uuids())
async def test_any_bytes_and_uuid_come_back_unchanged(engine, data, key):
    await engine.drop_table(UbBlob)
    await engine.create_table(UbBlob)
    obj = await UbBlob.create(data=data, data_nn=data, key=key, key_nn=key)
    got = await _reload(obj)
    assert (type(got.data), got.data, type(got.key), got.key) == (bytes, data, uuid.UUID, key)


async def test_filters_by_equality_and_in(engine):
    await engine.create_table(UbBlob)
    await UbBlob.create(n=1, data=b"a\x00", data_nn=b"", key=U1, key_nn=U1)
    await UbBlob.create(n=2, data=b"b", data_nn=b"", key=U2, key_nn=U1)
    await UbBlob.create(n=3, data=b"", data_nn=b"", key=None, key_nn=U1)
    assert [o.n for o in await UbBlob.where(UbBlob.data == b"a\x00")] == [1]
    assert [o.n for o in await UbBlob.where(UbBlob.data == bytearray(b"b"))] == [2]
    assert [o.n for o in await UbBlob.where(UbBlob.data == b"")] == [3]
    assert sorted(o.n for o in await UbBlob.where(UbBlob.data.in_([b"a\x00", b""]))) == [1, 3]
    assert [o.n for o in await UbBlob.where(UbBlob.key == U2)] == [2]
    assert [o.n for o in await UbBlob.where(UbBlob.key == str(U2).upper())] == [2]
    assert sorted(o.n for o in await UbBlob.where(UbBlob.key.in_([U1, str(U2)]))) == [1, 2]


async def test_wrong_value_types_raise_type_error_naming_the_column(engine):
    await engine.create_table(UbBlob)
    with pytest.raises(TypeError, match=r"^UbBlob\.data is a BytesColumn and takes bytes \(or bytearray or memoryview\), not str \('x'\)$"):
        await UbBlob.create(data="x", data_nn=b"", key_nn=U1)
    with pytest.raises(TypeError, match=r"^UbBlob\.key is a UUIDColumn and takes a uuid\.UUID \(or its canonical str\), not int \(5\)$"):
        await UbBlob.create(key=5, data_nn=b"", key_nn=U1)
    with pytest.raises(TypeError, match=r"^UbBlob\.key is a UUIDColumn and takes a uuid\.UUID \(or its canonical str\); 'nope' is not a UUID in canonical form"):
        await UbBlob.create(key="nope", data_nn=b"", key_nn=U1)
    with pytest.raises(TypeError, match=r"^UbBlob\.data is a BytesColumn"):
        await UbBlob.where(UbBlob.data == 1)
    with pytest.raises(TypeError, match=r"^UbBlob\.key is a UUIDColumn"):
        await UbBlob.where(UbBlob.key.in_([U1, 3]))
    assert await UbBlob.count() == 0


async def test_migration_plan_is_empty_after_create_table(engine):
    await engine.create_table(UbBlob, UbKeyed, UbChild, UbDefaults)
    plan = await Migrator(engine).plan([UbBlob, UbKeyed, UbChild, UbDefaults])
    assert plan.statements == []
    assert plan.is_empty()


def test_pydantic_schemas_type_the_fields_as_bytes_and_uuid():
    pytest.importorskip("pydantic")
    schema = UbBlob.create_schema()
    body = schema.model_validate({"data": b"\x00\x01", "data_nn": b"", "key": str(U1), "key_nn": U2})
    assert (type(body.data), body.data, type(body.key), body.key, body.key_nn) == (
        bytes, b"\x00\x01", uuid.UUID, U1, U2
    )
    props = schema.model_json_schema()["properties"]
    assert props["key"]["anyOf"][0] == {"type": "string", "format": "uuid"}
    assert props["data_nn"]["type"] == "string"


async def test_uuid_defaults_are_database_defaults_and_bytes_take_a_callable(engine):
    await engine.create_table(UbDefaults)
    obj = await UbDefaults.create()
    got = await UbDefaults.get(UbDefaults.id == obj.id)
    assert (got.key, type(got.key), got.maybe, got.data) == (U2, uuid.UUID, U1, b"\x00\x01")


async def test_a_bytes_literal_default_is_refused_with_what_to_do(engine):
    with pytest.raises(
        QueryError,
        match=r"^UbBadDefault\.data: cannot use b'x' as a column default in DDL: a BytesColumn has no "
        r"database default; give a callable instead, e\.g\. default=lambda: b'\.\.\.'$",
    ):
        await engine.create_table(UbBadDefault)


async def test_json_dump_and_validation_carry_bytes_as_base64_and_uuids_as_text(engine):
    pytest.importorskip("pydantic")
    await engine.create_table(UbBlob)
    obj = await UbBlob.create(data=b"\xff\x00", data_nn=b"", key=U2, key_nn=U1)
    got = await _reload(obj)
    dumped = got.model_dump(mode="json")
    assert (dumped["data"], dumped["data_nn"], dumped["key"], dumped["key_nn"]) == ("/wA=", "", str(U2), str(U1))
    body = UbBlob.create_schema().model_validate_json(got.model_dump_json(exclude={"id"}))
    assert (body.data, body.data_nn, body.key, body.key_nn) == (b"\xff\x00", b"", U2, U1)
    assert body.model_dump(mode="json")["data"] == "/wA="
    assert UbBlob.model_json_schema()["properties"]["data_nn"]["format"] == "base64"


async def test_a_foreign_key_to_a_uuid_key_holds_uuids(engine):
    await engine.create_table(UbKeyed, UbChild)
    await UbKeyed.create(id=U2, payload=b"")
    child = await UbChild.create(parent_id=str(U2))
    got = await UbChild.get(UbChild.id == child.id)
    assert (type(got.parent_id), got.parent_id, child.parent_id) == (uuid.UUID, U2, U2)
    assert [c.id for c in await UbChild.where(UbChild.parent_id == U2)] == [child.id]

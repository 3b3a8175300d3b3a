"""Column validators in a FastAPI app: bad request bodies and bad values an endpoint sets
itself both get a 422 with one entry per failing field, in the client's language.

    pip install kakaorm-core kakaorm-sqlite pydantic fastapi uvicorn
    python examples/fastapi_validation.py      # then open http://localhost:8000/docs

* ``Signup`` declares its rules with ``validators=[...]`` (kakaorm.validators).
* ``POST /signups`` takes the model itself as the body: FastAPI runs the rules while
  reading the body and answers 422 before the endpoint runs.
* ``PATCH /signups/{id}/handle`` builds the new handle in the endpoint; ``save()``
  checks it and raises ``kakaorm.ValidationError``, which ``install_validation_handler``
  turns into the same 422. Nothing is written.
* A middleware picks the message language from ``Accept-Language`` (``en`` or the
  default, Japanese) with ``kakaorm.i18n.use_locale``, for this request only.

Environment: SIGNUP_DATABASE_URL (default ``sqlite+aiosqlite:///./signup.db``), PORT.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Body, FastAPI, Request, Response

import kakaorm
from kakaorm import Column, IntColumn, StrColumn, TypedModel, ValidationError
from kakaorm.fastapi import install_validation_handler
from kakaorm.i18n import use_locale
from kakaorm.validators import max_length, max_value, min_length, min_value, one_of, regex


def no_reserved_words(value: str | None) -> None:
    """A validator of one's own: raise ValidationError (or ValueError) to refuse."""
    if value is not None and value in {"admin", "root"}:
        raise ValidationError(f"{value!r} is reserved")


class Signup(TypedModel):
    """Someone signing up for the newsletter."""

    handle: Column[str] = StrColumn(
        nullable=False, max_length=40,
        validators=[min_length(3), max_length(20), regex(r"^[a-z0-9_]+$"), no_reserved_words],
    )
    email: Column[str] = StrColumn(
        nullable=False, max_length=200, validators=[regex(r"^[^@\s]+@[^@\s]+$", message="not an e-mail address")]
    )
    age: Column[int | None] = IntColumn(validators=[min_value(13), max_value(130)])
    plan: Column[str] = StrColumn(nullable=False, max_length=10, default="free", validators=[one_of("free", "pro")])

    class Meta:
        table_name = "signup"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("SIGNUP_DATABASE_URL", "sqlite+aiosqlite:///./signup.db")
    engine = await kakaorm.connect(url)
    await engine.create_table(Signup)
    try:
        yield
    finally:
        await engine.disconnect()


app = FastAPI(title="KakaORM validation example", lifespan=lifespan)
install_validation_handler(app)  # kakaorm.ValidationError -> 422


@app.middleware("http")
async def message_language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Validation messages in English for ``Accept-Language: en...``, else in Japanese."""
    wanted = request.headers.get("accept-language", "")
    with use_locale("en" if wanted.startswith("en") else "ja"):
        return await call_next(request)


@app.post("/signups", response_model=Signup, status_code=201)
async def sign_up(body: Annotated[Signup, Body()]) -> Signup:
    await body.save()
    return body


@app.patch("/signups/{signup_id}/handle", response_model=Signup)
async def change_handle(signup_id: int, first: str, last: str) -> Signup:
    signup = await Signup.get(Signup.id == signup_id)
    signup.handle = f"{first}_{last}".lower()  # built here, checked by save()
    await signup.save()
    return signup


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))

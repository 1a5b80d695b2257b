"""What the catalogue's page modules share."""

from typing import Any

from litestar import Request

Req = Request[Any, Any, Any]

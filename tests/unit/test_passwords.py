"""Password hashing stays off the event loop (issue #13, item 10): argon2 takes a few
hundred milliseconds of CPU on purpose, and thirty tablets signing in at once must not
hold up everyone else's requests."""

from __future__ import annotations

import asyncio
import inspect

import grimp

from service.auth import passwords


async def test_hashing_and_verifying_leave_the_loop_free_meanwhile():
    for work in (
        passwords.hash_password("correct horse battery"),
        passwords.verify_password(None, "correct horse battery"),
    ):
        task = asyncio.ensure_future(work)
        await asyncio.sleep(0)  # the task starts; on the loop it would also finish here
        assert not task.done(), "the hash ran on the event loop"
        await task


async def test_a_hash_verifies_its_password_and_no_other():
    hashed = await passwords.hash_password("correct horse battery")
    assert await passwords.verify_password(hashed, "correct horse battery")
    assert not await passwords.verify_password(hashed, "wrong horse battery")
    assert not await passwords.verify_password(None, "correct horse battery")


def test_every_slow_password_function_is_a_coroutine():
    """A new slow helper must be awaited too (run in a thread), never called on the loop."""
    assert inspect.iscoroutinefunction(passwords.hash_password)
    assert inspect.iscoroutinefunction(passwords.verify_password)


def test_only_the_passwords_module_uses_argon2():
    graph = grimp.build_graph("service", include_external_packages=True)
    importers = graph.find_modules_that_directly_import("argon2")
    assert importers == {"service.auth.passwords"}

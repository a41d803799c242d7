"""One error family with one naming rule, across every runtime module and the package root
(docs/runtime.md, "Errors"): what the server answered is an ``ApiException`` and ends in
``Exception``; everything else ends in ``Error``; all derive from ``OpenApiException``."""

from __future__ import annotations

import importlib
import pkgutil

import together.generated
import together.generated._runtime as runtime_package
from together.generated import ApiException, OpenApiException
from together.generated._runtime.streaming import ServerSentEvent

#: Earlier names kept as aliases, and the class each one names.
ALIASES = {
    "MalformedResponseError": "MalformedResponseException",
    "StreamError": "StreamException",
}


def _error_classes() -> dict[str, dict[str, type[BaseException]]]:
    """Every exception class reachable by name, per module (runtime modules and the root)."""
    modules = {
        info.name: importlib.import_module(f"{runtime_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(runtime_package.__path__)
    }
    found: dict[str, dict[str, type[BaseException]]] = {}
    for module_name, module in modules.items():
        found[module_name] = {
            name: value
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, BaseException)
            and value.__module__.startswith("together.")
        }
    found["together.generated"] = {
        name: value
        for name in together.generated.__all__
        if isinstance(value := getattr(together.generated, name), type)
        and issubclass(value, BaseException)
    }
    return found


def test_every_error_class_everywhere_follows_the_naming_rule() -> None:
    found = _error_classes()
    assert "streaming" in found and "exceptions" in found
    seen = 0
    for module_name, classes in found.items():
        for name, cls in classes.items():
            where = f"{module_name}.{name}"
            assert issubclass(cls, OpenApiException), where
            if cls.__name__ != name:
                assert ALIASES.get(name) == cls.__name__, where
                continue
            if cls is OpenApiException:
                continue
            seen += 1
            answered = issubclass(cls, ApiException)
            assert name.endswith("Exception") == answered, where
            assert name.endswith("Error") == (not answered), where
    assert seen >= 30


def test_the_root_exports_stream_exception_and_its_old_name() -> None:
    assert together.generated.StreamException is together.generated.StreamError
    assert "StreamException" in together.generated.__all__


def test_a_stream_error_shows_its_request_id_like_every_api_exception() -> None:
    error = together.generated.StreamException(
        ServerSentEvent("message", '{"error": {"message": "model overloaded"}}'),
        status=200,
        reason="OK",
        headers={"x-request-id": "req-123"},
        data={"error": {"message": "model overloaded"}},
    )
    assert error.request_id == "req-123"
    assert str(error) == "(200) error in the stream: model overloaded [request id req-123]"

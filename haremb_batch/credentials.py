"""Keep credentials out of everything the job writes: reports, run records, manifests and log lines.

Two kinds of value are masked in a configuration before it is saved or shown:
- every value under `io.storage_options` (at any depth) whose key names a secret (`key`, `secret`, `token`,
  `password`, `credentials`, `session`, `sas`, `connection_string`, ...);
- any string, anywhere, that holds the value of an environment variable whose name names a secret
  (`AWS_SECRET_ACCESS_KEY`, `HAREMB_KEY`, `AZURE_STORAGE_SAS_TOKEN`, ...), e.g. a credential pasted into a URL.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping

MASK = "***"
# a key or variable name that names a secret: whole words of a snake/camel/kebab-case name
_SECRET_WORDS = re.compile(
    r"(^|[_\-.])(key|keys|secret|secrets|token|tokens|password|passwd|pwd|credential|credentials|creds|session"
    r"|sas|signature|auth|authorization|private|connection[_\-]?string|conn[_\-]?str|account[_\-]?key|cookie)"
    r"($|[_\-.])",
    re.IGNORECASE,
)
_MIN_SECRET_LENGTH = 6  # shorter environment values ("1", "true", "us") would mask ordinary words


def names_a_secret(name: str) -> bool:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name))  # sessionToken -> session_Token
    return bool(_SECRET_WORDS.search(snake))


def secret_environment_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of the environment's secret-named variables, longest first (so a value inside another goes second)."""
    environ = os.environ if environ is None else environ
    values = {v for k, v in environ.items() if names_a_secret(k) and len(v) >= _MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)


# credentials inside URLs: user:password@host (a password may hold '@'), a token as the user (https://TOKEN@host),
# and query parameters that sign or authenticate (SAS, presigned S3 and GCS, CloudFront, Akamai, API keys)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][\w+.-]*://)(?P<userinfo>[^\s/?#]*)@")
_URL_PARAM = re.compile(r"(?P<name>[?&](?P<key>[^=&\s#]+)=)(?P<value>[^&\s#\"']+)")
_URL_SECRET_KEYS = {"sig", "sv", "se", "sp", "sas", "code", "x-amz-credential", "policy", "key-pair-id", "hdnts",
                    "x-goog-credential"}


def mask_urls(text: str) -> str:
    def userinfo(m: re.Match) -> str:
        user, colon, _ = m["userinfo"].partition(":")
        return f"{m['scheme']}{user}:{MASK}@" if colon else f"{m['scheme']}{MASK}@"

    def param(m: re.Match) -> str:
        key = m["key"]
        return f"{m['name']}{MASK}" if key.lower() in _URL_SECRET_KEYS or names_a_secret(key) else m.group(0)

    return _URL_PARAM.sub(param, _URL_USERINFO.sub(userinfo, text))


def mask_text(text: str, secrets: list[str]) -> str:
    """`text` without the given secret strings and without credentials written into URLs."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return mask_urls(text)


def mask_credentials(config: Any, environ: Mapping[str, str] | None = None) -> Any:
    """A copy of a configuration dict safe to write beside the outputs."""
    secrets = secret_environment_values(environ)

    def walk(value: Any, under_storage: bool, key: str | None) -> Any:
        if under_storage and key is not None and names_a_secret(key) and value not in (None, "", {}, []):
            return MASK
        if isinstance(value, Mapping):
            return {k: walk(v, under_storage or k == "storage_options", k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v, under_storage, None) for v in value]
        if isinstance(value, str):
            return mask_text(value, secrets)
        return value

    return walk(config, False, None)


def storage_secrets(storage_options: Mapping) -> list[str]:
    """The secret strings given in storage options, to keep them out of error messages too."""
    found: list[str] = []

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key is not None and names_a_secret(key) and len(value) >= 4:
            found.append(value)

    walk(storage_options, None)
    return sorted(set(found) | set(secret_environment_values()), key=len, reverse=True)

from collections.abc import Sequence

def blocks(
    lines: list[bytes], namespaces: Sequence[tuple[bytes, bytes]], indent: bytes
) -> tuple[bytes, list[int]]: ...

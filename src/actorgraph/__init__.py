"""actorgraph: a linked-data knowledge graph of the actors of public
transformation and ecological transition in France."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("actorgraph")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

USER_AGENT = f"actorgraph/{__version__} (+https://w3id.org/actorgraph; linked-data directory of French public actors)"

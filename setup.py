"""Build hook for the optional compiled Turtle writer (everything else is in pyproject.toml).

``actorgraph._turtle`` speeds up the Turtle and TriG exports; when no C compiler
is available the build goes on without it and the same output comes from the
Python writer in ``actorgraph.rdf``.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "actorgraph._turtle",
            sources=["src/actorgraph/_turtle.c"],
            optional=True,
        )
    ]
)

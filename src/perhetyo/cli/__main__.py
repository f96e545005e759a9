"""``python -m perhetyo.cli``: the same as the ``perhetyo`` console script."""

from perhetyo.cli import main

main()

"""Command line (komentorivi): ``python -m perhetyo.cli`` is the ``perhetyo`` console script."""

from perhetyo.cli import main

main()

"""`python -m kozak` runs the command line."""

from kozak.cli import main

main()

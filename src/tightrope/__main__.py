from tightrope.cli import run

run()

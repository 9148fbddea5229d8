from tightrope.cli import app

app(prog_name="tightrope")

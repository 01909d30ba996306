"""`flask --app wsgi seed-scale --households N`: the province-sized dataset, beside the demo."""
import click

from app.extensions import db
from app.messages import CLI
from app.scale.seed import ScaleDataExists, seed_scale


@click.command("seed-scale")
@click.option("--households", default=1_000_000, show_default=True, type=click.IntRange(1, 10**8),
              help="Households to add (10 per member, 90 per grid, 450 per village, 9,000 per township).")
@click.option("--append", is_flag=True, help="Add to scale data already there (in new counties).")
@click.option("--residents", is_flag=True, help="Also one resident (the head) per household.")
def seed_scale_cmd(households, append, residents):
    """Add a province-shaped dataset in one transaction; refuses when scale data exists unless --append."""
    def log(table, rows, seconds):
        click.echo(CLI["scale_table"].format(table=table, rows=rows, seconds=seconds))

    try:
        counts, seconds = seed_scale(households, append=append, residents=residents, log=log)
    except ScaleDataExists as exists:
        raise click.ClickException(CLI["scale_exists"].format(counties=exists.args[0])) from None
    db.session.commit()
    click.echo(CLI["scale_done"].format(rows=sum(counts.values()), seconds=seconds))

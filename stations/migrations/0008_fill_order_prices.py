"""Databases that ran 0007 before it filled the orders' prices: fill them now (idempotent)."""

from importlib import import_module

from django.db import migrations

fill_order_prices = import_module("stations.migrations.0007_posted_prices_units_and_quantities").fill_order_prices


class Migration(migrations.Migration):
    dependencies = [("stations", "0007_posted_prices_units_and_quantities")]

    operations = [migrations.RunPython(fill_order_prices, migrations.RunPython.noop)]

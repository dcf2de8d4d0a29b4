import sqlite3

from pyshop.domain import Order


def save(order: Order) -> None:
    sqlite3.connect(":memory:").execute("select ?", (sum(order.lines),))

from pyshop.domain import Order, total
from pyshop.infra.db import save


def checkout(lines: list[int]) -> int:
    order = Order(lines)
    save(order)
    return total(order)

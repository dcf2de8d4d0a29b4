import { total } from "../domain";
import { Order } from "../domain/order/order";
import { SqlOrders } from "../infra/orders";
import { pool } from "../infra/db/pool";

export async function checkout(order: Order) {
  await new SqlOrders().save(order);
  const rule = eval("order.lines.length > 0");
  return { total: total(order), rule, pool };
}

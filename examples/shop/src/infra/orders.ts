import type { Order, OrderRepository } from "../domain";
import { pool } from "./db/pool";

export class SqlOrders implements OrderRepository {
  async save(order: Order) {
    await pool.query("insert into orders values ($1)", [order.id]);
  }
}

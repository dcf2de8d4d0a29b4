import type { Order } from "./order/order";

export interface OrderRepository {
  save(order: Order): Promise<void>;
}

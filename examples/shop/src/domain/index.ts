export { Order, total } from "./order/order";
export type { OrderRepository } from "./ports";

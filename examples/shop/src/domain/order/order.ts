import { z } from "zod";
import axios from "axios";
import { money } from "../../shared/money";

export const Order = z.object({ id: z.string(), lines: z.array(z.number()) });
export type Order = z.infer<typeof Order>;

export function total(order: Order): string {
  return money(order.lines.reduce((a, b) => a + b, 0));
}

export async function sync(order: Order) {
  await axios.post("/orders", order);
}

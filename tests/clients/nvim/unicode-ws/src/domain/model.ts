/* ünïcødé 😀 */ import { view } from '../ui/view'; // ✓ fertig
export const greeting = "héllo 🎉 wörld"; export const token = process.env.TOKEN; // ☃
export const shown = view;

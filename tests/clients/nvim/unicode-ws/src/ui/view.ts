export const view = "👀";

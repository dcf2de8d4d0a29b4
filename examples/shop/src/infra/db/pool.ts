export const pool = {
  url: process.env.DATABASE_URL,
  async query(sql: string, args: unknown[]) {
    return { sql, args };
  },
};

import type { SalesRow } from "../handlers/sales-summary.ts";

const REGIONS = ["north", "south", "east", "west", "central"];
const PRODUCTS = ["anvil", "rocket skates", "giant magnet", "earthquake pills", "bird seed", "tornado kit"];

/**
 * The example app's stand-in for a sales database: the same rows for the same day, every time, so a summary
 * can be checked. A real app would query its own store here.
 */
export function salesOfDay(day: string): SalesRow[] {
  const seed = Number(day.replaceAll("-", "")) % 997;
  return Array.from({ length: 50 }, (_, i) => ({
    region: REGIONS[(seed + i) % REGIONS.length] as string,
    product: PRODUCTS[(seed * 7 + i) % PRODUCTS.length] as string,
    units: (seed + i * 13) % 40,
    unitPrice: ((seed + i * 31) % 5000) / 100,
  }));
}

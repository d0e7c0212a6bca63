export interface SalesRow {
  readonly region: string;
  readonly product: string;
  readonly units: number;
  readonly unitPrice: number;
}

export interface RegionTotal {
  readonly region: string;
  readonly units: number;
  readonly revenue: number;
  readonly topProduct: string;
}

export interface SalesSummary {
  readonly byRegion: readonly RegionTotal[];
  readonly revenue: number;
  /** Human-readable lines, largest region first. */
  readonly lines: string[];
}

/** Revenue and units per region, with each region's best-selling product by revenue. */
export function summarizeSales(rows: readonly SalesRow[], currency: string): SalesSummary {
  const regions = new Map<string, { units: number; revenue: number; products: Map<string, number> }>();
  for (const row of rows) {
    const region = regions.get(row.region) ?? { units: 0, revenue: 0, products: new Map<string, number>() };
    const revenue = row.units * row.unitPrice;
    region.units += row.units;
    region.revenue += revenue;
    region.products.set(row.product, (region.products.get(row.product) ?? 0) + revenue);
    regions.set(row.region, region);
  }
  const byRegion = [...regions]
    .map(([region, totals]) => ({
      region,
      units: totals.units,
      revenue: Math.round(totals.revenue * 100) / 100,
      topProduct: [...totals.products].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "",
    }))
    .sort((a, b) => b.revenue - a.revenue);
  const revenue = byRegion.reduce((sum, r) => sum + r.revenue, 0);
  const money = new Intl.NumberFormat("en", { style: "currency", currency });
  const lines = [
    `Total revenue ${money.format(revenue)} over ${rows.length} rows in ${byRegion.length} regions.`,
    ...byRegion
      .slice(0, 20)
      .map(
        (r) => `${r.region}: ${money.format(r.revenue)} from ${r.units} units; best seller ${r.topProduct}`,
      ),
  ];
  return { byRegion, revenue, lines };
}

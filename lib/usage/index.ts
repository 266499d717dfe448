/** Usage of an organisation for the dashboard: series, shares, plan caps and key budgets, and the CSV export. */
export { usageReport, type KeyBudget, type UsageDay, type UsageReport, type UsageShare, type UsageTotals } from "./report";
export { usageCsv, usageCsvFilename, USAGE_CSV_HEADER } from "./export";
export { parseUsageQuery, USAGE_PERIODS, USAGE_ROLES, type UsagePeriod, type UsageQuery } from "./query";

/** The report table's columns (a plain module: the server page and the client table both read it). */
export const REPORT_COLUMNS = [
  { key: "host", label: "Host" },
  { key: "p50", label: "p50" },
  { key: "p99", label: "p99" },
  { key: "p99.9", label: "p99.9" },
  { key: "p99.99", label: "p99.99" },
  { key: "p99.999", label: "p99.999" },
  { key: "min", label: "min" },
  { key: "max", label: "max" },
  { key: "mean", label: "mean" },
  { key: "cycles", label: "cycles" },
  { key: "slo", label: "SLO" },
] as const;
export type ReportSortKey = (typeof REPORT_COLUMNS)[number]["key"];


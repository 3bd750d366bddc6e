// The self-contained HTML pages of a run (report.html) and of a comparison (`dbsim compare --html`).

export { type LabelledReport, renderComparisonHtml } from "./html/comparison-page.js";
export { renderReportHtml } from "./html/report-page.js";

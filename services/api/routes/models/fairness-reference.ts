import type { FairnessReport } from "../../../../models/fairness-schema.js";
import { withReference } from "../../../../models/fairness.js";
import { invalid } from "../../../errors.js";

/**
 * A stored fairness report re-judged against the reference groups asked for, each written
 * `attribute:value` (GET /v1/models/{id}/fairness?reference=, and the model page's form, one per
 * attribute). 422 naming the field for an attribute that is not in the report or a group it does
 * not have; with none asked, the stored report (each attribute against its largest group).
 */
export function referencedReport(report: FairnessReport, references: readonly string[]): FairnessReport {
  const chosen: Record<string, string> = {};
  for (const reference of references) {
    const colon = reference.indexOf(":");
    if (colon < 1) throw invalid("a reference is attribute:value", [{ path: "reference", message: "attribute:value, e.g. region:north" }]);
    const [attribute, value] = [reference.slice(0, colon), reference.slice(colon + 1)];
    const attr = report.attributes.find((a) => a.attribute === attribute);
    if (!attr) {
      throw invalid("unknown attribute", [{ path: "reference", message: `${attribute} is not segmented; one of ${report.attributes.map((a) => a.attribute).join(", ")}` }]);
    }
    if (!attr.groups.some((g) => g.value === value)) {
      throw invalid("unknown group", [{ path: "reference", message: `${attribute} has no group "${value}"; one of ${attr.groups.map((g) => g.value).join(", ")}` }]);
    }
    chosen[attribute] = value;
  }
  return Object.keys(chosen).length > 0 ? withReference(report, chosen) : report;
}

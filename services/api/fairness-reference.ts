import type { FairnessReport } from "../../models/fairness-schema.js";
import { withReference } from "../../models/fairness.js";
import { invalid } from "../errors.js";

/**
 * A report re-judged against the reference group an officer chose (`attribute:value`, the query
 * parameter of every fairness route), or as it is when none was chosen; an unknown attribute or
 * group is a 422 that lists the possible ones.
 */
export function rejudge(report: FairnessReport, reference: string | undefined): FairnessReport {
  if (!reference) return report;
  const colon = reference.indexOf(":");
  const [attribute, value] = [reference.slice(0, colon), reference.slice(colon + 1)];
  const attr = report.attributes.find((a) => a.attribute === attribute);
  if (!attr) {
    throw invalid("unknown attribute", [{ path: "reference", message: `${attribute} is not segmented; one of ${report.attributes.map((a) => a.attribute).join(", ")}` }]);
  }
  if (!attr.groups.some((g) => g.value === value)) {
    throw invalid("unknown group", [{ path: "reference", message: `${attribute} has no group "${value}"; one of ${attr.groups.map((g) => g.value).join(", ")}` }]);
  }
  return withReference(report, { [attribute]: value });
}

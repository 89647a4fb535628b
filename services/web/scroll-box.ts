/**
 * The attributes of a wide table's box (`.table-wrap`, which scrolls sideways on a phone): it can
 * take the keyboard focus, so that people who do not use a mouse can scroll it (WCAG 2.1.1; axe's
 * scrollable-region-focusable), and it is a named region, so that a screen reader says what the
 * focus landed on.
 */
export const scrollBox = (name: { label: string } | { labelledBy: string }) => ({
  class: "table-wrap",
  role: "region",
  tabindex: 0,
  ...("label" in name ? { "aria-label": name.label } : { "aria-labelledby": name.labelledBy }),
});

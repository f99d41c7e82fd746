// Accessibility fixes that need the page in place (Material builds parts of
// it at run time). They run in a task of their own, after Material's, so that
// neither keeps a phone busy for long at a stretch.
document$.subscribe(({ body }) => setTimeout(() => {
  // axe "scrollable-region-focusable": a table, formula or code block that
  // scrolls sideways on a narrow screen must be reachable with the keyboard.
  const regions = {
    ".md-typeset__scrollwrap": "Table",
    ".md-typeset div.arithmatex": "Formula",
    "pre > code": "Code",
    ".tabbed-labels": "Tabs",
  };
  // Measure every region first, then change them: a change between two
  // measurements makes the browser lay the page out again for each one.
  const overflowing = Object.entries(regions).flatMap(([selector, label]) =>
    [...body.querySelectorAll(selector)]
      .filter((region) => !region.hasAttribute("tabindex"))
      .filter((region) => region.scrollWidth > region.clientWidth)
      .map((region) => [region, label]));
  // Each region a name of its own (axe "landmark-unique"): a number, and a
  // code block's title where it has one.
  const counts = {};
  for (const [region, label] of overflowing) {
    counts[label] = (counts[label] || 0) + 1;
    const title = region.closest(".highlight")?.querySelector(".filename")?.textContent;
    region.tabIndex = 0;
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", `${label} ${counts[label]}${title ? `: ${title}` : ""}`);
  }
  // axe "link-name": code annotation markers are links with no text.
  for (const marker of body.querySelectorAll(".md-annotation__index")) {
    const number = marker.querySelector("[data-md-annotation-id]");
    const id = number ? number.getAttribute("data-md-annotation-id") : "";
    marker.setAttribute("aria-label", `Annotation ${id}`.trim());
  }
}));

// axe "scrollable-region-focusable": a table or formula that scrolls sideways
// on a narrow screen must be reachable with the keyboard. Material wraps
// tables at run time, so mark the regions once each page is in place.
document$.subscribe(({ body }) => {
  const regions = body.querySelectorAll(".md-typeset__scrollwrap, .md-typeset div.arithmatex");
  for (const region of regions) {
    if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", region.matches(".arithmatex") ? "Formula" : "Table");
    }
  }
});

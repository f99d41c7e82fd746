// Accessibility fixes that need the page in place (Material builds parts of
// it at run time). They run in a task of their own, after Material's, so that
// neither keeps a phone busy for long at a stretch.
document$.subscribe(({ body }) => setTimeout(() => {
  // axe "scrollable-region-focusable": a table, formula or code block that
  // scrolls sideways on a narrow screen must be reachable with the keyboard.
  // Whether it scrolls is known only once it is laid out, and the page's far
  // sections are laid out only when a reader gets near them (site.css,
  // content-visibility): each region is measured when it comes within a
  // screen of the view, so that none is laid out before it is needed.
  const regions = {
    ".md-typeset__scrollwrap": "Table",
    ".md-typeset div.arithmatex": "Formula",
    "pre > code": "Code",
    ".tabbed-labels": "Tabs",
  };
  const names = new Map();
  for (const [selector, label] of Object.entries(regions)) {
    body.querySelectorAll(selector).forEach((region, i) => {
      // Each region a name of its own (axe "landmark-unique"): its number
      // among the page's regions of its kind, and a code block's title.
      const title = region.closest(".highlight")?.querySelector(".filename")?.textContent;
      names.set(region, `${label} ${i + 1}${title ? `: ${title}` : ""}`);
    });
  }
  const nameIfScrolling = (candidates) => {
    // Measure every region first, then change them: a change between two
    // measurements makes the browser lay the page out again for each one.
    const scrolling = candidates.filter((region) => !region.hasAttribute("tabindex")
      && region.scrollWidth > region.clientWidth);
    for (const region of scrolling) {
      region.tabIndex = 0;
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", names.get(region));
    }
  };
  const observer = new IntersectionObserver((entries) => nameIfScrolling(
    entries.filter((entry) => entry.isIntersecting).map((entry) => {
      observer.unobserve(entry.target);
      return entry.target;
    })), { rootMargin: "100% 0px" });
  names.forEach((_, region) => observer.observe(region));
  // A region in a far section that is not drawn yet has no width of its own to
  // measure: it is measured again when its section is drawn.
  document.addEventListener("contentvisibilityautostatechange", ({ target, skipped }) => {
    if (!skipped) nameIfScrolling([...names.keys()].filter((region) => target.contains(region)));
  }, { capture: true });  // the event does not bubble
  // axe "link-name": code annotation markers are links with no text. Material
  // adds them when their code block comes into view (mkdocs.yml, content.lazy).
  const nameMarkers = () => {
    for (const marker of body.querySelectorAll(".md-annotation__index:not([aria-label])")) {
      const number = marker.querySelector("[data-md-annotation-id]");
      const id = number ? number.getAttribute("data-md-annotation-id") : "";
      marker.setAttribute("aria-label", `Annotation ${id}`.trim());
    }
  };
  nameMarkers();
  // On a touch screen Material takes the keyboard focus off a code block when it
  // sets the block up or the screen turns: a region that scrolls gets it back.
  const keepFocusable = (mutations) => {
    for (const { target } of mutations) {
      const ours = names.has(target) && target.getAttribute("role") === "region";
      if (ours && !target.hasAttribute("tabindex")) target.tabIndex = 0;
    }
    nameMarkers();
  };
  new MutationObserver(keepFocusable).observe(body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex"],
  });
}));

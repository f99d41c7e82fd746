// Fetch the search index (the text of the whole site, about 110 KB gzip) when
// the reader first reaches for search, not with every page: Material's bundle
// requests it at start-up with XMLHttpRequest, so hold that one request back.
(() => {
  let wanted;
  const searchWanted = new Promise((resolve) => (wanted = resolve));
  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.isSearchIndex = String(url).endsWith("/search/search_index.json");
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.isSearchIndex) return send.apply(this, args);
    searchWanted.then(() => send.apply(this, args));
  };
  addEventListener("keydown", (e) => ["/", "s", "f", "S", "F"].includes(e.key) && wanted());
  addEventListener("DOMContentLoaded", () => {
    const toggle = document.getElementById("__search");
    const input = document.querySelector(".md-search__input");
    if (toggle) toggle.addEventListener("change", wanted);
    if (input) ["focus", "pointerdown"].forEach((type) => input.addEventListener(type, wanted));
  });
})();

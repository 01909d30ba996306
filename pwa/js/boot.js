// Runs before the first paint: apply 长辈模式 (remembered on this device) so the page never
// flashes small text. A classic script, because modules run only after parsing.
(function () {
  try {
    if (localStorage.getItem("baolian.elder") === "1") document.documentElement.classList.add("elder");
  } catch (e) {
    self.BAOLIAN_BOOT_ERRORS = [String(e)]; // storage blocked: normal mode; errlog.js records it
  }
})();

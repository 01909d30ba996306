// Renders the OpenAPI document as a plain list of routes; no third-party code, no inline script.
(async function () {
  const target = document.getElementById("routes");
  const spec = await (await fetch("/api/openapi.json")).json();
  target.textContent = "";
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === "parameters") continue;
      const section = document.createElement("section");
      const h = document.createElement("h3");
      h.textContent = `${method.toUpperCase()} ${path}`;
      const p = document.createElement("p");
      p.textContent = op.summary || "";
      const codes = document.createElement("p");
      codes.textContent = "响应：" + Object.keys(op.responses || {}).join(", ");
      section.append(h, p, codes);
      target.append(section);
    }
  }
})();

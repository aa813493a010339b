// Builds the service's front-end assets from the govuk-frontend npm package:
// compiled Sass (no CDN, no GOV.UK-only fonts or crown) and one ES module that
// starts GOV.UK Frontend's components. Output goes to portal/static/portal/build/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "portal", "static", "portal", "build");
mkdirSync(out, { recursive: true });

for (const name of ["portal", "print"]) {
  const result = sass.compile(join(root, "portal", "frontend", "scss", `${name}.scss`), {
    loadPaths: [join(root, "node_modules")],
    style: "compressed",
    quietDeps: true,
    silenceDeprecations: ["import"],
  });
  writeFileSync(join(out, `${name}.css`), result.css);
}

const bundle = readFileSync(
  join(root, "node_modules", "govuk-frontend", "dist", "govuk", "all.bundle.js"),
  "utf8",
).replace(/\/\/# sourceMappingURL=.*$/m, "");
writeFileSync(
  join(out, "app.js"),
  `${bundle}\nif (window.GOVUKFrontend.isSupported()) { window.GOVUKFrontend.initAll(); }\n`,
);
console.log(`front-end assets written to ${out}`);

// Small files and short functions (issue 11): no file in agent/ outside sim/ over 200 lines
// unless its opening comment says why ("Over 200 lines: …"), no function over 60 lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const AGENT = fileURLToPath(new URL("../../agent/", import.meta.url));
const FILE_LINES = 200;
const FUNCTION_LINES = 60;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "sim" ? [] : sources(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

test(`agent/ (outside sim/): files ≤ ${FILE_LINES} lines or say why at the top, functions ≤ ${FUNCTION_LINES} lines`, () => {
  const wrong: string[] = [];
  for (const path of sources(AGENT)) {
    const text = readFileSync(path, "utf8");
    const name = relative(AGENT, path).replaceAll("\\", "/");
    const lines = text.split("\n").length;
    const opening = text.slice(0, text.search(/^(import|export|const|function|class|type|interface)\b/m));
    if (lines > FILE_LINES && !/Over 200 lines: /i.test(opening)) wrong.push(`${name}: ${lines} lines and no reason at its top`);
    const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = src.getLineAndCharacterOfPosition(node.end).line;
        if (last - first + 1 > FUNCTION_LINES) wrong.push(`${name}:${first + 1}: a function of ${last - first + 1} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  assert.deepEqual(wrong, []);
});

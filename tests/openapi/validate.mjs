// Checks docs/openapi.json two ways (SPEC §10: every route, body, answer and error code):
//  1. the document itself against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator);
//  2. every answer the net suites recorded (tests/net/client.hpp, ACTAS_RECORD_ANSWERS) against the document:
//     the answer's method and path must match a documented operation, its status must be one that operation
//     lists, and its body must fit that answer's schema (JSON Schema 2020-12, ajv). An answer the document does
//     not foresee is a failure, as is a folder with no answers in it (recording broke).
//
//   node validate.mjs --document docs/openapi.json --answers build/openapi-answers
//
// Prints the failures, then one line "openapi: N passed, N failed" (the document counts as one, each answer
// as one); exits non-zero when anything failed.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { rulesOutsideOperations, operationFor } from "./match.mjs";

const { values: args } = parseArgs({
  options: { document: { type: "string" }, answers: { type: "string" }, "show-failures": { type: "string", default: "40" } },
});
if (!args.document || !args.answers) {
  console.log("usage: node validate.mjs --document FILE --answers DIR");
  console.log("openapi: 0 passed, 1 failed");
  process.exit(2);
}

let passed = 0;
let failed = 0;
const failures = [];
const fail = (what, detail) => {
  failed++;
  failures.push({ what, detail });
};

// -- 1. the document --
const text = readFileSync(args.document, "utf8");
const doc = JSON.parse(text);
const checked = await new Validator().validate(doc);
if (checked.valid) passed++;
else fail(`${args.document} is not valid OpenAPI 3.1`, JSON.stringify(checked.errors, null, 2).slice(0, 4000));

// -- 2. the recorded answers --
// The whole document is one schema resource, so "#/components/…" inside any answer's schema resolves; each
// answer's schema is compiled by reference to its place in it. The document is not itself a JSON Schema
// (OpenAPI's own keywords, `required: true` on a parameter), hence no meta-validation and no strict mode.
const base = "https://actas.invalid/openapi.json";
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: base });
const compiled = new Map();
const validatorAt = (pointer) => {
  if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: `${base}#${pointer}` }));
  return compiled.get(pointer);
};
const escape = (s) => s.replaceAll("~", "~0").replaceAll("/", "~1");

const records = [];
const files = existsSync(args.answers) ? readdirSync(args.answers).filter((f) => f.endsWith(".jsonl")) : [];
for (const f of files.sort())
  for (const line of readFileSync(join(args.answers, f), "utf8").split("\n"))
    if (line.trim()) records.push(JSON.parse(line));
if (records.length === 0) fail(`no answers recorded in ${args.answers}`, "is ACTAS_RECORD_ANSWERS set for the net suites?");

const exercised = new Set();
let console_answers = 0;
for (const r of records) {
  const label = `${r.method} ${r.target} → ${r.status}`;
  const found = operationFor(doc, r.method, r.target);
  if (found.console) {
    console_answers++;
    continue;
  }
  // What the server answers before (or instead of) routing: an error body of the document's, for any path.
  let pointer = null;
  let expectBody = true;
  if (!found.operation) {
    const allowed = rulesOutsideOperations(found.pathKnown);
    if (!allowed.includes(r.status)) {
      fail(label, `no operation ${r.method} at this path, and ${r.status} is not what the server answers then (${allowed.join(", ")})`);
      continue;
    }
    pointer = `/components/schemas/error_${r.status}`;
  } else {
    const { path, method, operation } = found;
    exercised.add(`${method.toUpperCase()} ${path}`);
    const answer = operation.responses?.[String(r.status)];
    if (!answer) {
      fail(label, `${method.toUpperCase()} ${path} does not document ${r.status}`);
      continue;
    }
    const resolved = answer.$ref ? resolve(doc, answer.$ref) : answer;
    const answerPointer = answer.$ref ? answer.$ref.slice(1) : `/paths/${escape(path)}/${method}/responses/${r.status}`;
    if (!resolved.content) {
      expectBody = false;
    } else {
      const type = r.content_type;
      if (!resolved.content[type]) {
        fail(label, `answered as ${type}, documented as ${Object.keys(resolved.content).join(", ")}`);
        continue;
      }
      if (!type.startsWith("application/json")) {
        passed++;
        continue;
      }
      pointer = `${answerPointer}/content/${escape(type)}/schema`;
    }
  }
  // HEAD is answered as GET without the body.
  if (r.method === "HEAD" || !expectBody) {
    if (r.body !== "") fail(label, `a body where none is documented: ${r.body.slice(0, 200)}`);
    else passed++;
    continue;
  }
  let body;
  try {
    body = JSON.parse(r.body);
  } catch {
    fail(label, `not JSON: ${r.body.slice(0, 200)}`);
    continue;
  }
  const validate = validatorAt(pointer);
  if (validate(body)) passed++;
  else fail(label, `${ajv.errorsText(validate.errors, { separator: "\n  " })}\n  body: ${r.body.slice(0, 600)}`);
}

function resolve(root, ref) {
  return ref.slice(2).split("/").reduce((at, part) => at[part.replaceAll("~1", "/").replaceAll("~0", "~")], root);
}

// -- report --
const limit = Number(args["show-failures"]);
for (const f of failures.slice(0, limit)) console.log(`FAIL ${f.what}\n  ${f.detail}`);
if (failures.length > limit) console.log(`… and ${failures.length - limit} more failures`);
const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.keys(item).filter((m) => m !== "parameters").map((m) => `${m.toUpperCase()} ${p}`));
const unexercised = operations.filter((o) => !exercised.has(o));
console.log(`document: ${checked.valid ? "valid" : "INVALID"} OpenAPI ${doc.openapi}, ${operations.length} operations`);
console.log(`answers: ${records.length} recorded in ${files.length} files (${console_answers} of the web console, not the API's)`);
console.log(`operations the net suites exercised: ${operations.length - unexercised.length} of ${operations.length}` +
  (unexercised.length ? ` (not: ${unexercised.join(", ")})` : ""));
console.log(`openapi: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

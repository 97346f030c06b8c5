// `node --import ./register.mjs run.ts <scenario>`: the k6 modules a scenario imports resolve to
// the stand-in here (k6 itself is never installed, built or run: it is under the AGPL).
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);

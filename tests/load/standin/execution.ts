// `k6/execution`: what a scenario may ask about where it runs (one VU, one iteration).
import { state } from "./state.ts";

export default {
  get vu() {
    return { idInTest: state.vu, iterationInScenario: state.iteration, idInInstance: state.vu };
  },
  get scenario() {
    return { name: state.scenario, iterationInTest: state.iteration, executor: "per-vu-iterations" };
  },
  test: {
    abort(message?: string): never {
      throw new Error(`test aborted: ${message ?? ""}`);
    },
  },
};

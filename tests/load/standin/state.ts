// What one run of a scenario did: its checks (passed and failed, by name), its requests (by
// method, name tag and status), the metrics it added to, and the current group.
export interface CheckResult {
  name: string;
  group: string;
  passed: number;
  failed: number;
}
export interface RequestRecord {
  method: string;
  url: string;
  name: string;
  status: number;
  failed: boolean;
  group: string;
  error?: string;
  /** The start of a failed request's answer (a problem document says why). */
  body?: string;
}

export const state = {
  checks: new Map<string, CheckResult>(),
  requests: [] as RequestRecord[],
  metrics: new Map<string, { type: string; values: number[] }>(),
  groups: [] as string[],
  vu: 1,
  iteration: 0,
  scenario: "default",
};

export const currentGroup = () => (state.groups.length === 0 ? "" : `::${state.groups.join("::")}`);

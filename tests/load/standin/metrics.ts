// `k6/metrics`: custom metrics record their values (the runner reports them; thresholds on them are checked for syntax).
import { state } from "./state.ts";

class Metric {
  readonly name: string;
  readonly type: string;
  constructor(name: string, type: string) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new Error(`metric name "${name}": letters, digits and _ only`);
    this.name = name;
    this.type = type;
    if (!state.metrics.has(name)) state.metrics.set(name, { type, values: [] });
  }
  add(value: number | boolean, _tags?: Record<string, string>): void {
    state.metrics.get(this.name)?.values.push(Number(value));
  }
}
export class Counter extends Metric {
  constructor(name: string) {
    super(name, "counter");
  }
}
export class Trend extends Metric {
  constructor(name: string, _isTime?: boolean) {
    super(name, "trend");
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, "rate");
  }
}
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, "gauge");
  }
}
export default { Counter, Trend, Rate, Gauge };

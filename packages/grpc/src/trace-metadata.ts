// W3C trace context in gRPC metadata (`traceparent`, `tracestate`).
import type { Metadata } from "@grpc/grpc-js";
import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";

export const metadataSetter: TextMapSetter<Metadata> = {
  set: (md, key, value) => md.set(key, value),
};

export const metadataGetter: TextMapGetter<Metadata> = {
  get: (md, key) => {
    const v = md.get(key);
    return v.length === 0 ? undefined : v.map(String);
  },
  keys: (md) => Object.keys(md.getMap()),
};

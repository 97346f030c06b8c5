// The compiled descriptor set of every proto in proto/ (written by `make gen`), for gRPC
// server reflection: grpcurl and other tools list and call services without .proto files.
import { readFileSync } from "node:fs";

export const descriptorSetPath = new URL("./gen/descriptor.binpb", import.meta.url);

export function loadDescriptorSet(): Buffer {
  return readFileSync(descriptorSetPath);
}

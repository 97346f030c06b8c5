// Payload codecs by content-type: protobuf (what Silta produces) or the message's proto3 JSON
// form (what inbound topics also accept from municipal systems).
import { type ContentType, EventDecodeError, JSON_CONTENT, PROTOBUF } from "./cloudevents.ts";

/** What ts-proto generates for every message. */
export interface MessageFns<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

export interface EventCodec<T> {
  /** The CloudEvents type this payload is sent as. */
  type: string;
  encode(message: T, contentType?: ContentType): Buffer;
  decode(data: Buffer, contentType: ContentType): T;
}

export function codec<T>(type: string, fns: MessageFns<T>): EventCodec<T> {
  return {
    type,
    encode: (message, contentType = PROTOBUF) =>
      contentType === PROTOBUF ? Buffer.from(fns.encode(message).finish()) : Buffer.from(JSON.stringify(fns.toJSON(message))),
    decode(data, contentType) {
      if (contentType === JSON_CONTENT) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString("utf8"));
        } catch {
          throw new EventDecodeError("value is not valid JSON");
        }
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new EventDecodeError("JSON value is not an object");
        try {
          return fns.fromJSON(parsed);
        } catch (e) {
          throw new EventDecodeError(`JSON value does not match ${type}: ${(e as Error).message}`);
        }
      }
      try {
        return fns.decode(data);
      } catch (e) {
        throw new EventDecodeError(`value is not a valid protobuf ${type}: ${(e as Error).message}`);
      }
    },
  };
}

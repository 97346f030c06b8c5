/**
 * The key under which a caller's request (or event) id is remembered: unambiguous, because the
 * organisation's length comes first. `org + ":" + id` made (`urn`, `fi:school:12:r-1`) and
 * (`urn:fi:school:12`, `r-1`) one key, so one organisation got the other's receipt and its own
 * notification was never filed.
 */
export function idempotencyKey(organisationId: string, id: string): string {
  return `${organisationId.length}:${organisationId}:${id}`;
}

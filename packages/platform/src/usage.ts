// The usage log's vocabulary (käyttöloki, AsiakastietoL 703/2023), shared by the store
// (@silta/postgres PgUsageLog) and the gRPC kit (UsageLogService, personReads).

/** One read of one record's content by a person. */
export interface UsageRead {
  actorUser: string;
  actorOrganisation: string;
  /** The trusted signer that proved the person (their party's gateway). */
  actorSigner: string;
  /** e.g. `referral`, `consent`. */
  recordKind: string;
  recordId: string;
  subjectPseudonym: string;
  areaCode: string;
  /** The operation, e.g. `silta.referrals.v1.ReferralService/GetReferral`. */
  route: string;
}

export interface UsageEntry extends UsageRead {
  usageId: string;
  at: Date;
}

/** Where reads are appended and listed: each service's own database. */
export interface UsageLog {
  record(reads: UsageRead[]): Promise<void>;
  list(subjectPseudonym: string, since: Date, areaCodes: readonly string[]): Promise<UsageEntry[]>;
}

// What each kind of message says, in Finnish, Swedish and English (ICU MessageFormat): only the
// kind, a reference number, the area and a link — never a child's name, henkilötunnus, concern
// or note (the variables below are all a template can use; templateProblems refuses any other).
import { IntlMessageFormat } from "intl-messageformat";

export const LANGUAGES = ["fi", "sv", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const isLanguage = (s: string): s is Language => (LANGUAGES as readonly string[]).includes(s);

/** The variables a message may use. */
export const MESSAGE_VARIABLES = ["reference", "area", "deadline", "count", "when", "meeting", "role", "day", "kind", "milestone"] as const;
export type MessageVariables = Partial<Record<(typeof MESSAGE_VARIABLES)[number], string | number>>;

export interface Template {
  title: string;
  body: string;
}
export type Templates = Record<string, Record<Language, Template>>;

const deadline = {
  fi: "{deadline, select, urgency_assessment {kiireellisyyden arvio} decision {päätös lastensuojeluasian vireille tulosta} assessment_completion {palvelutarpeen arvio} other {määräaika}}",
  sv: "{deadline, select, urgency_assessment {brådskandebedömningen} decision {beslutet} assessment_completion {servicebehovsbedömningen} other {tidsfristen}}",
  en: "{deadline, select, urgency_assessment {the urgency assessment} decision {the decision} assessment_completion {the service-need assessment} other {the deadline}}",
};

const meeting = {
  fi: "{meeting, select, systemic_weekly {systeeminen viikkokokous} service_need_assessment {palvelutarpeen arviointi} network {verkostopalaveri} school_support {Sisukas-seurantapalaveri} other {tapaaminen}}",
  sv: "{meeting, select, systemic_weekly {systemiskt veckomöte} service_need_assessment {servicebehovsbedömning} network {nätverksmöte} school_support {Sisukas-uppföljningsmöte} other {möte}}",
  en: "{meeting, select, systemic_weekly {systemic weekly meeting} service_need_assessment {service-need assessment} network {network meeting} school_support {Sisukas follow-up} other {meeting}}",
};

const booking = {
  fi: "{meeting, select, consultation {konsultaatio} mentoring {mentorointi} co_work {yhteistyöskentely} training {koulutus} other {varaus}}",
  sv: "{meeting, select, consultation {konsultation} mentoring {mentorskap} co_work {samarbete} training {utbildning} other {bokning}}",
  en: "{meeting, select, consultation {consultation} mentoring {mentoring} co_work {co-work} training {training} other {booking}}",
};

// A referral's milestones as its notifier is told them: the step, never the outcome.
const milestone = {
  fi: "{milestone, select, received_by_area {otettu käsittelyyn} urgency_assessed {kiireellisyys on arvioitu} decision_made {asiassa on tehty päätös} closed {käsittely on päättynyt} other {asia on edennyt}}",
  sv: "{milestone, select, received_by_area {har tagits upp till behandling} urgency_assessed {brådskan har bedömts} decision_made {ett beslut har fattats} closed {behandlingen har avslutats} other {ärendet har gått vidare}}",
  en: "{milestone, select, received_by_area {taken up} urgency_assessed {its urgency assessed} decision_made {decided on} closed {closed} other {moved on}}",
};

export const TEMPLATES: Templates = {
  referral_milestone: {
    fi: {
      title: `Ilmoituksenne {reference}: ${milestone.fi}`,
      body: `Ilmoituksenne {reference} on ${milestone.fi}. Vaihe ei kerro asian sisältöä eikä ratkaisua.`,
    },
    sv: {
      title: `Er anmälan {reference}: ${milestone.sv}`,
      body: `Er anmälan {reference}: ${milestone.sv}. Steget berättar inte ärendets innehåll eller utfall.`,
    },
    en: {
      title: `Your notification {reference}: ${milestone.en}`,
      body: `Your notification {reference} was ${milestone.en}. The step tells nothing of the case or its outcome.`,
    },
  },
  consent_revoked: {
    fi: {
      title: "Suostumus peruttu: {reference}",
      body: "Suostumus {reference}, joka salli tietojen luovuttamisen organisaatiollenne, on peruttu. Sen perusteella ei enää luovuteta tietoja.",
    },
    sv: {
      title: "Samtycke återkallat: {reference}",
      body: "Samtycket {reference}, som tillät att uppgifter lämnades ut till er organisation, har återkallats. Inga uppgifter lämnas längre ut med stöd av det.",
    },
    en: {
      title: "Consent revoked: {reference}",
      body: "Consent {reference}, which allowed information to be disclosed to your organisation, was revoked. Nothing is disclosed on it any more.",
    },
  },
  consent_expired: {
    fi: {
      title: "Suostumus päättyi: {reference}",
      body: "Suostumus {reference}, joka salli tietojen luovuttamisen organisaatiollenne, on päättynyt. Sen perusteella ei enää luovuteta tietoja.",
    },
    sv: {
      title: "Samtycket har upphört: {reference}",
      body: "Samtycket {reference}, som tillät att uppgifter lämnades ut till er organisation, har upphört. Inga uppgifter lämnas längre ut med stöd av det.",
    },
    en: {
      title: "Consent ended: {reference}",
      body: "Consent {reference}, which allowed information to be disclosed to your organisation, has ended. Nothing is disclosed on it any more.",
    },
  },
  meeting_rescheduled: {
    fi: { title: `Tapaaminen siirretty: ${meeting.fi} {when}`, body: `Tapaaminen {reference} (${meeting.fi}) on siirretty: {when}. Katso se Siltassa.` },
    sv: { title: `Mötet har flyttats: ${meeting.sv} {when}`, body: `Mötet {reference} (${meeting.sv}) har flyttats: {when}. Se det i Silta.` },
    en: { title: `Meeting moved: ${meeting.en} {when}`, body: `Meeting {reference} (${meeting.en}) was moved: {when}. See it in Silta.` },
  },
  meeting_cancelled: {
    fi: { title: `Tapaaminen peruttu: ${meeting.fi} {when}`, body: `Tapaaminen {reference} (${meeting.fi}) {when} on peruttu.` },
    sv: { title: `Mötet har ställts in: ${meeting.sv} {when}`, body: `Mötet {reference} (${meeting.sv}) {when} har ställts in.` },
    en: { title: `Meeting cancelled: ${meeting.en} {when}`, body: `Meeting {reference} (${meeting.en}) {when} was cancelled.` },
  },
  family_meeting_rescheduled: {
    fi: {
      title: "Tapaamisen aika muuttui: {when}",
      body: "{role, select, child {Hei! Tapaaminen, johon sinut kutsuttiin, on siirretty: {when}. Avaa linkki, niin voit kertoa, pääsetkö tulemaan.} other {Tapaaminen, johon teidät kutsuttiin, on siirretty: {when}. Avatkaa linkki: näette uuden ajan ja voitte vastata.}}",
    },
    sv: {
      title: "Mötet har fått en ny tid: {when}",
      body: "{role, select, child {Hej! Mötet som du är inbjuden till har flyttats: {when}. Öppna länken och berätta om du kan komma.} other {Mötet som ni är inbjudna till har flyttats: {when}. Öppna länken: där ser ni den nya tiden och kan svara.}}",
    },
    en: {
      title: "The meeting has a new time: {when}",
      body: "{role, select, child {Hi! The meeting you were invited to was moved: {when}. Open the link and tell us whether you can come.} other {The meeting you were invited to was moved: {when}. Open the link to see the new time and answer.}}",
    },
  },
  family_meeting_cancelled: {
    fi: {
      title: "Tapaaminen peruttu: {when}",
      body: "{role, select, child {Hei! Tapaaminen {when}, johon sinut kutsuttiin, on peruttu.} other {Tapaaminen {when}, johon teidät kutsuttiin, on peruttu.}}",
    },
    sv: {
      title: "Mötet har ställts in: {when}",
      body: "{role, select, child {Hej! Mötet {when} som du är inbjuden till har ställts in.} other {Mötet {when} som ni är inbjudna till har ställts in.}}",
    },
    en: {
      title: "Meeting cancelled: {when}",
      body: "{role, select, child {Hi! The meeting {when} you were invited to was cancelled.} other {The meeting {when} you were invited to was cancelled.}}",
    },
  },
  webhook_failing: {
    fi: {
      title: "Webhook ei vastaa: {reference}",
      body: "Organisaationne webhook-osoite {reference} ei ole vastannut. Viestit odottavat ja niitä yritetään uudelleen; tarkistakaa vastaanotin ja lähettäkää epäonnistuneet uudelleen.",
    },
    sv: {
      title: "Webhooken svarar inte: {reference}",
      body: "Er organisations webhook-adress {reference} har inte svarat. Meddelandena väntar och försöks på nytt; kontrollera mottagaren och skicka de misslyckade på nytt.",
    },
    en: {
      title: "Webhook not answering: {reference}",
      body: "Your organisation's webhook endpoint {reference} has not been answering. Messages wait and are tried again; check the receiver and replay the failed ones.",
    },
  },
  booking_confirmed: {
    fi: { title: `Varaus vahvistettu: ${booking.fi} {when}`, body: `Varaus {reference} (${booking.fi}) {when} on vahvistettu. Katso se Siltassa.` },
    sv: { title: `Bokning bekräftad: ${booking.sv} {when}`, body: `Bokningen {reference} (${booking.sv}) {when} är bekräftad. Se den i Silta.` },
    en: { title: `Booking confirmed: ${booking.en} {when}`, body: `Booking {reference} (${booking.en}) {when} is confirmed. See it in Silta.` },
  },
  booking_rescheduled: {
    fi: { title: `Varaus siirretty: ${booking.fi} {when}`, body: `Varaus {reference} (${booking.fi}) on siirretty: {when}. Katso se Siltassa.` },
    sv: { title: `Bokning flyttad: ${booking.sv} {when}`, body: `Bokningen {reference} (${booking.sv}) har flyttats: {when}. Se den i Silta.` },
    en: { title: `Booking moved: ${booking.en} {when}`, body: `Booking {reference} (${booking.en}) was moved: {when}. See it in Silta.` },
  },
  booking_cancelled: {
    fi: { title: `Varaus peruttu: ${booking.fi} {when}`, body: `Varaus {reference} (${booking.fi}) {when} on peruttu.` },
    sv: { title: `Bokning avbokad: ${booking.sv} {when}`, body: `Bokningen {reference} (${booking.sv}) {when} har avbokats.` },
    en: { title: `Booking cancelled: ${booking.en} {when}`, body: `Booking {reference} (${booking.en}) {when} was cancelled.` },
  },
  meeting_invitation: {
    fi: { title: `Kutsu: ${meeting.fi} {when}`, body: `Teidät on kutsuttu: ${meeting.fi} {when} ({reference}). Vastatkaa kutsuun Siltassa.` },
    sv: { title: `Inbjudan: ${meeting.sv} {when}`, body: `Ni har bjudits in: ${meeting.sv} {when} ({reference}). Svara på inbjudan i Silta.` },
    en: { title: `Invitation: ${meeting.en} {when}`, body: `You are invited: ${meeting.en} {when} ({reference}). Answer the invitation in Silta.` },
  },
  family_meeting_invitation: {
    fi: {
      title: "{role, select, child {Sinut kutsutaan tapaamiseen {when}} other {Kutsu tapaamiseen {when}}}",
      body: `{role, select, child {Hei! Sinut kutsutaan tapaamiseen {when}. Sinun mielipiteesi on tärkeä. Avaa linkki, niin voit kertoa, pääsetkö tulemaan.} other {Teidät kutsutaan tapaamiseen (${meeting.fi}) {when}. Avatkaa linkki: näette tapaamisen tiedot ja voitte vastata kutsuun.}}`,
    },
    sv: {
      title: "{role, select, child {Du är inbjuden till ett möte {when}} other {Inbjudan till ett möte {when}}}",
      body: `{role, select, child {Hej! Du är inbjuden till ett möte {when}. Det du tycker är viktigt. Öppna länken och berätta om du kan komma.} other {Ni är inbjudna till ett möte (${meeting.sv}) {when}. Öppna länken: där ser ni mötets uppgifter och kan svara på inbjudan.}}`,
    },
    en: {
      title: "{role, select, child {You are invited to a meeting {when}} other {Invitation to a meeting {when}}}",
      body: `{role, select, child {Hi! You are invited to a meeting {when}. What you think matters. Open the link and tell us whether you can come.} other {You are invited to a meeting (${meeting.en}) {when}. Open the link to see the meeting and answer the invitation.}}`,
    },
  },
  // A daily digest of one kind: {kind} is the kind gathered, {reference} the references (comma-separated).
  digest: {
    fi: {
      title: "Päivän {day} kooste: {count, plural, one {# ilmoitus} other {# ilmoitusta}}",
      body: "{kind, select, meeting_answered {Vastauksia tapaamiskutsuihin} meeting_participant_withdrawn {Peruttuja kutsuja} other {Ilmoituksia}}: {reference}. Katso ne Siltassa.",
    },
    sv: {
      title: "Sammandrag för {day}: {count, plural, one {# meddelande} other {# meddelanden}}",
      body: "{kind, select, meeting_answered {Svar på mötesinbjudningar} meeting_participant_withdrawn {Återkallade inbjudningar} other {Meddelanden}}: {reference}. Se dem i Silta.",
    },
    en: {
      title: "Digest of {day}: {count, plural, one {# notification} other {# notifications}}",
      body: "{kind, select, meeting_answered {Answers to meeting invitations} meeting_participant_withdrawn {Withdrawn invitations} other {Notifications}}: {reference}. See them in Silta.",
    },
  },
  meeting_answered: {
    fi: { title: "Vastaus kutsuun: {reference}", body: "Kutsuttu on vastannut tapaamiskutsuun {reference}. Katso vastaus Siltassa." },
    sv: { title: "Svar på inbjudan: {reference}", body: "En inbjuden har svarat på mötesinbjudan {reference}. Se svaret i Silta." },
    en: { title: "Answer to an invitation: {reference}", body: "An invitee answered the meeting invitation {reference}. See the answer in Silta." },
  },
  meeting_participant_withdrawn: {
    fi: { title: "Kutsu peruttu: {reference}", body: "Organisaation kutsu tapaamiseen {reference} peruttiin, koska perheen suostumus ei enää salli sitä." },
    sv: {
      title: "Inbjudan återkallad: {reference}",
      body: "En organisations inbjudan till mötet {reference} återkallades eftersom familjens samtycke inte längre tillåter den.",
    },
    en: {
      title: "Invitation withdrawn: {reference}",
      body: "An organisation's invitation to meeting {reference} was withdrawn: the family's consent no longer allows it.",
    },
  },
  referral_submitted: {
    fi: {
      title: "Uusi lastensuojeluilmoitus {reference}",
      body: "Alueellenne on saapunut lastensuojeluilmoitus {reference}. Avaa se omassa järjestelmässänne.",
    },
    sv: { title: "Ny barnskyddsanmälan {reference}", body: "En barnskyddsanmälan {reference} har kommit till ert område. Öppna den i ert eget system." },
    en: {
      title: "New child welfare notification {reference}",
      body: "A child welfare notification {reference} has arrived for your area. Open it in your own system.",
    },
  },
  referral_urgent: {
    fi: { title: "KIIREELLINEN: lastensuojeluilmoitus {reference}", body: "Ilmoittaja pitää ilmoitusta {reference} kiireellisenä. Arvioi kiireellisyys heti." },
    sv: { title: "BRÅDSKANDE: barnskyddsanmälan {reference}", body: "Anmälaren anser att anmälan {reference} är brådskande. Bedöm brådskan genast." },
    en: {
      title: "URGENT: child welfare notification {reference}",
      body: "The notifier considers notification {reference} urgent. Assess its urgency at once.",
    },
  },
  referral_receipt: {
    fi: {
      title: "Ilmoituksenne {reference} on vastaanotettu",
      body: "{area} on vastaanottanut ilmoituksenne {reference}. Voitte seurata sen vaiheita viitenumerolla.",
    },
    sv: { title: "Er anmälan {reference} har tagits emot", body: "{area} har tagit emot er anmälan {reference}. Ni kan följa den med referensnumret." },
    en: {
      title: "Your notification {reference} was received",
      body: "{area} received your notification {reference}. You can follow it with the reference number.",
    },
  },
  responsible_assigned: {
    fi: { title: "Vastuullenne: {reference}", body: "Teidät on nimetty vastuutyöntekijäksi asiassa {reference}." },
    sv: { title: "Ert ansvar: {reference}", body: "Ni har utsetts till ansvarig arbetstagare för ärendet {reference}." },
    en: { title: "Yours now: {reference}", body: "You were named the responsible worker of {reference}." },
  },
  deadline_at_risk: {
    fi: { title: "Määräaika lähestyy: {reference}", body: `Asian {reference} määräaika (${deadline.fi}) päättyy pian.` },
    sv: { title: "Tidsfristen närmar sig: {reference}", body: `Tidsfristen för ärendet {reference} (${deadline.sv}) går snart ut.` },
    en: { title: "Deadline near: {reference}", body: `The deadline of {reference} (${deadline.en}) is near.` },
  },
  deadline_missed: {
    fi: { title: "Määräaika ylittyi: {reference}", body: `Asian {reference} lakisääteinen määräaika (${deadline.fi}) on ylittynyt.` },
    sv: { title: "Tidsfristen har gått ut: {reference}", body: `Den lagstadgade tidsfristen för ärendet {reference} (${deadline.sv}) har gått ut.` },
    en: { title: "Deadline missed: {reference}", body: `The statutory deadline of {reference} (${deadline.en}) has passed.` },
  },
  must_deliver_failed: {
    fi: {
      title: "Tärkeä viesti ei mennyt perille ({count, plural, one {# vastaanottaja} other {# vastaanottajaa}}): {reference}",
      body: "Pakollista viestiä asiasta {reference} ei saatu toimitettua. Varmistakaa tieto muuta kautta.",
    },
    sv: {
      title: "Ett viktigt meddelande nådde inte fram ({count, plural, one {# mottagare} other {# mottagare}}): {reference}",
      body: "Ett obligatoriskt meddelande om ärendet {reference} kunde inte levereras. Säkerställ informationen på annat sätt.",
    },
    en: {
      title: "An important message was not delivered ({count, plural, one {# recipient} other {# recipients}}): {reference}",
      body: "A must-deliver message about {reference} could not be delivered. Make sure the information gets there another way.",
    },
  },
};

/** The variables a message text uses (its top-level arguments and those inside plurals and selects). */
function variablesOf(text: string, locale: Language): Set<string> {
  const out = new Set<string>();
  const walk = (nodes: unknown[]) => {
    for (const n of nodes as { type: number; value?: string; options?: Record<string, { value: unknown[] }> }[]) {
      if (n.value !== undefined && n.type !== 0 && n.type !== 7) out.add(n.value);
      for (const o of Object.values(n.options ?? {})) walk(o.value);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown[]);
  return out;
}

/**
 * Why a set of templates cannot be used (empty: it can): a kind without all three languages, a
 * text that does not parse, or one using a variable messages do not carry.
 */
export function templateProblems(templates: Templates, kinds: string[]): string[] {
  const problems: string[] = [];
  for (const kind of kinds) {
    const t = templates[kind];
    if (!t) {
      problems.push(`${kind}: no template`);
      continue;
    }
    for (const lang of LANGUAGES) {
      const x = t[lang];
      if (!x) {
        problems.push(`${kind}.${lang}: missing`);
        continue;
      }
      for (const [part, text] of Object.entries(x)) {
        try {
          for (const v of variablesOf(text, lang))
            if (!(MESSAGE_VARIABLES as readonly string[]).includes(v)) problems.push(`${kind}.${lang}.${part}: unknown variable {${v}}`);
        } catch (e) {
          problems.push(`${kind}.${lang}.${part}: ${(e as Error).message}`);
        }
      }
    }
  }
  return problems;
}

const formats = new Map<string, IntlMessageFormat>();
/** The title and body of a message of `kind` in `lang`; a variable the text needs but `vars` lacks throws (it is a defect). */
export function render(templates: Templates, kind: string, lang: Language, vars: MessageVariables): Template {
  const t = templates[kind]?.[lang];
  if (!t) throw new Error(`no template ${kind}.${lang}`);
  const fmt = (part: "title" | "body") => {
    const key = `${kind}.${lang}.${part}`;
    let f = formats.get(key);
    if (!f || templates !== TEMPLATES) {
      f = new IntlMessageFormat(t[part], lang);
      if (templates === TEMPLATES) formats.set(key, f);
    }
    return String(f.format(vars));
  };
  return { title: fmt("title"), body: fmt("body") };
}

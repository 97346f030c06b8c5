// The family's invitation page: a small HTML page in Finnish, Swedish or English for a guardian,
// the child or someone the family named, who has no account. The link's token is the proof. The
// page shows the date and time, the place or video link, and who is invited by role and
// organisation — never the child's name (not in the title, not in the URL: the meeting has none).
// A wrong, replaced, revoked or expired link gets one clear page that reveals nothing.
import { Answer, FamilyRole, MeetingKind, type ReadInvitationResponse } from "@silta/contracts/meetings/v1/meetings.ts";

export type Lang = "fi" | "sv" | "en";
export const LANGS: Lang[] = ["fi", "sv", "en"];

const KIND: Record<Lang, Partial<Record<MeetingKind, string>>> = {
  fi: {
    [MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY]: "Systeeminen tiimikokous",
    [MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT]: "Palvelutarpeen arviointi",
    [MeetingKind.MEETING_KIND_NETWORK]: "Verkostopalaveri",
    [MeetingKind.MEETING_KIND_SCHOOL_SUPPORT]: "Koulun tuen seurantapalaveri",
  },
  sv: {
    [MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY]: "Systemiskt teammöte",
    [MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT]: "Bedömning av servicebehov",
    [MeetingKind.MEETING_KIND_NETWORK]: "Nätverksmöte",
    [MeetingKind.MEETING_KIND_SCHOOL_SUPPORT]: "Uppföljningsmöte om stöd i skolan",
  },
  en: {
    [MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY]: "Systemic team meeting",
    [MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT]: "Service-need assessment",
    [MeetingKind.MEETING_KIND_NETWORK]: "Network meeting",
    [MeetingKind.MEETING_KIND_SCHOOL_SUPPORT]: "School support follow-up meeting",
  },
};

const ROLE: Record<Lang, Record<string, string>> = {
  fi: {
    teacher: "opettaja",
    child_protection_worker: "lastensuojelun sosiaalityöntekijä",
    family_worker: "perhetyöntekijä",
    school_support_coordinator: "koulun tukihenkilö",
  },
  sv: {
    teacher: "lärare",
    child_protection_worker: "socialarbetare inom barnskyddet",
    family_worker: "familjearbetare",
    school_support_coordinator: "skolans stödperson",
  },
  en: {
    teacher: "teacher",
    child_protection_worker: "child-protection social worker",
    family_worker: "family worker",
    school_support_coordinator: "school support person",
  },
};

const T = {
  fi: {
    title: "Kutsu tapaamiseen",
    intro: "Sinut on kutsuttu tapaamiseen. Kerro alla, sopiiko aika sinulle.",
    introChild: "Sinut kutsutaan tapaamiseen, jossa aikuiset ja sinä puhutte sinun asioistasi. Sinun mielipiteesi on tärkeä. Kerro, sopiiko aika sinulle.",
    when: "Aika",
    where: "Paikka",
    video: "Videoyhteys",
    who: "Kutsutut",
    answerNow: "Vastauksesi nyt",
    yourAnswer: "Vastauksesi",
    accepted: "Tulen",
    declined: "En pääse",
    tentative: "Ehkä",
    none_suit: "Mikään näistä ajoista ei sovi",
    pending: "Ei vielä vastattu",
    note: "Lisätieto (vapaaehtoinen, esimerkiksi mikä aika sopisi)",
    send: "Lähetä vastaus",
    thanks: "Kiitos! Vastauksesi on tallennettu.",
    answerBy: "Vastaathan viimeistään",
    language: "Kieli",
    goneTitle: "Linkki ei toimi",
    gone: "Tämä kutsulinkki ei ole voimassa. Se on voinut vanhentua, tai sen tilalle on annettu uusi. Ota yhteyttä työntekijään, joka lähetti kutsun.",
    busyTitle: "Liian monta yritystä",
    busy: "Odota hetki ja yritä uudelleen.",
    cancelled: "Tämä tapaaminen on peruttu.",
    closed: "Vastausaika on päättynyt. Jos haluat vielä vastata, ota yhteyttä työntekijään, joka lähetti kutsun.",
    choose: "Valitse yksi vaihtoehto.",
  },
  sv: {
    title: "Inbjudan till ett möte",
    intro: "Du är inbjuden till ett möte. Svara nedan om tiden passar dig.",
    introChild: "Du är inbjuden till ett möte där de vuxna och du talar om dina saker. Din åsikt är viktig. Svara om tiden passar dig.",
    when: "Tid",
    where: "Plats",
    video: "Videoförbindelse",
    who: "Inbjudna",
    answerNow: "Ditt svar nu",
    yourAnswer: "Ditt svar",
    accepted: "Jag kommer",
    declined: "Jag kan inte komma",
    tentative: "Kanske",
    none_suit: "Ingen av tiderna passar",
    pending: "Inte besvarat ännu",
    note: "Tilläggsinformation (frivillig, till exempel vilken tid som skulle passa)",
    send: "Skicka svaret",
    thanks: "Tack! Ditt svar har sparats.",
    answerBy: "Svara senast",
    language: "Språk",
    goneTitle: "Länken fungerar inte",
    gone: "Den här inbjudningslänken är inte giltig. Den kan ha gått ut, eller så har en ny getts i dess ställe. Kontakta arbetstagaren som skickade inbjudan.",
    busyTitle: "För många försök",
    busy: "Vänta en stund och försök igen.",
    cancelled: "Mötet har ställts in.",
    closed: "Svarstiden har gått ut. Om du ännu vill svara, kontakta arbetstagaren som skickade inbjudan.",
    choose: "Välj ett alternativ.",
  },
  en: {
    title: "Invitation to a meeting",
    intro: "You are invited to a meeting. Please say below whether the time suits you.",
    introChild: "You are invited to a meeting where the adults and you talk about your things. What you think matters. Please say whether the time suits you.",
    when: "Time",
    where: "Place",
    video: "Video link",
    who: "Invited",
    answerNow: "Your answer now",
    yourAnswer: "Your answer",
    accepted: "I will come",
    declined: "I cannot come",
    tentative: "Maybe",
    none_suit: "None of these times suit me",
    pending: "Not answered yet",
    note: "A note (optional, for example which time would suit)",
    send: "Send the answer",
    thanks: "Thank you! Your answer has been saved.",
    answerBy: "Please answer by",
    language: "Language",
    goneTitle: "The link does not work",
    gone: "This invitation link is not valid. It may have expired, or a new one may have been given in its place. Please contact the worker who sent the invitation.",
    busyTitle: "Too many tries",
    busy: "Please wait a moment and try again.",
    cancelled: "This meeting has been cancelled.",
    closed: "The time to answer has passed. If you still want to answer, please contact the worker who sent the invitation.",
    choose: "Choose one option.",
  },
} satisfies Record<Lang, Record<string, string>>;

const LANG_NAME: Record<Lang, string> = { fi: "suomi", sv: "svenska", en: "English" };
const ANSWERS = [Answer.ANSWER_ACCEPTED, Answer.ANSWER_DECLINED, Answer.ANSWER_TENTATIVE, Answer.ANSWER_NONE_SUIT] as const;
export const ANSWER_WORD: Record<number, "accepted" | "declined" | "tentative" | "none_suit" | "pending"> = {
  [Answer.ANSWER_ACCEPTED]: "accepted",
  [Answer.ANSWER_DECLINED]: "declined",
  [Answer.ANSWER_TENTATIVE]: "tentative",
  [Answer.ANSWER_NONE_SUIT]: "none_suit",
  [Answer.ANSWER_PENDING]: "pending",
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem}a{color:#0645ad}dt{font-weight:700;margin-top:.75rem}dd{margin-left:0}
fieldset{border:1px solid #555;padding:.75rem;margin:1rem 0}label{display:block;margin:.35rem 0}
textarea{width:100%;min-height:5rem;font:inherit}button{font:inherit;padding:.5rem 1rem;background:#0b5394;color:#fff;border:0;border-radius:4px}
button:focus,a:focus,input:focus,textarea:focus{outline:3px solid #f5a623;outline-offset:2px}
.status{border-left:4px solid #2e7d32;padding:.5rem 1rem;background:#edf7ed}nav ul{list-style:none;padding:0;display:flex;gap:1rem}`;

function layout(lang: Lang, title: string, body: string, languages: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)} – Silta</title>
<style>${STYLE}</style>
</head>
<body>
<header>${languages}</header>
<main>
${body}
</main>
</body>
</html>
`;
}

function languageLinks(lang: Lang, href: (l: Lang) => string): string {
  const items = LANGS.map((l) =>
    l === lang
      ? `<li><span aria-current="true">${LANG_NAME[l]}</span></li>`
      : `<li><a href="${esc(href(l))}" lang="${l}" hreflang="${l}">${LANG_NAME[l]}</a></li>`,
  ).join("");
  return `<nav aria-label="${T[lang].language}"><ul>${items}</ul></nav>`;
}

/** The invitation, with the answer form (or a thank-you when just answered). */
export function invitationPage(
  v: ReadInvitationResponse,
  lang: Lang,
  opts: { answered: boolean; problem?: string; href: (l: Lang) => string; action: string },
): string {
  const t = T[lang];
  const fmt = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : `${lang}-FI`, { timeZone: "Europe/Helsinki", dateStyle: "full", timeStyle: "short" });
  const endFmt = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : `${lang}-FI`, { timeZone: "Europe/Helsinki", timeStyle: "short" });
  const times = v.occurrences
    .filter((o) => !o.cancelled)
    .map((o) => `<li>${esc(fmt.format(new Date(o.start)))}–${esc(endFmt.format(new Date(o.end)))}</li>`)
    .join("");
  const who = v.invited.map((x) => `<li>${esc(ROLE[lang][x.role] ?? x.role)}, ${esc(x.organisationId)}</li>`).join("");
  const heading = `${t.title}: ${KIND[lang][v.kind] ?? ""}`;
  const current = ANSWER_WORD[v.answer] ?? "pending";
  const cancelled = v.status === 4;
  const radios = ANSWERS.map((a) => {
    const w = ANSWER_WORD[a] as keyof typeof t;
    return `<label><input type="radio" name="answer" value="${ANSWER_WORD[a]}" required${current === w ? " checked" : ""}> ${esc(t[w])}</label>`;
  }).join("\n");
  const body = `<h1>${esc(heading)}</h1>
${opts.answered ? `<p class="status" role="status">${esc(t.thanks)}</p>` : ""}
${opts.problem ? `<p class="status" role="alert">${esc(opts.problem)}</p>` : ""}
<p>${esc(v.familyRole === FamilyRole.FAMILY_ROLE_CHILD ? t.introChild : t.intro)}</p>
<dl>
<dt>${esc(t.when)}</dt><dd><ul>${times}</ul></dd>
${v.location ? `<dt>${esc(t.where)}</dt><dd>${esc(v.location)}</dd>` : ""}
${v.videoLink ? `<dt>${esc(t.video)}</dt><dd><a href="${esc(v.videoLink)}" rel="noreferrer">${esc(v.videoLink)}</a></dd>` : ""}
<dt>${esc(t.who)}</dt><dd><ul>${who}</ul></dd>
<dt>${esc(t.answerNow)}</dt><dd>${esc(t[current])}</dd>
${v.answerBy ? `<dt>${esc(t.answerBy)}</dt><dd>${esc(fmt.format(new Date(v.answerBy)))}</dd>` : ""}
</dl>
${
  cancelled
    ? `<p>${esc(t.cancelled)}</p>`
    : v.answersClosed
      ? `<p>${esc(t.closed)}</p>`
      : `<form method="post" action="${esc(opts.action)}">
<input type="hidden" name="lang" value="${lang}">
<fieldset>
<legend>${esc(t.yourAnswer)}</legend>
${radios}
</fieldset>
<label for="note">${esc(t.note)}</label>
<textarea id="note" name="note" maxlength="1000">${esc(v.answerNote)}</textarea>
<p><button type="submit">${esc(t.send)}</button></p>
</form>`
}`;
  return layout(lang, t.title, body, languageLinks(lang, opts.href));
}

/** The one page for every link that does not open an invitation: nothing about the meeting or why. */
export function gonePage(lang: Lang, href: (l: Lang) => string, busy = false): string {
  const t = T[lang];
  const title = busy ? t.busyTitle : t.goneTitle;
  return layout(lang, title, `<h1>${esc(title)}</h1>\n<p>${esc(busy ? t.busy : t.gone)}</p>`, languageLinks(lang, href));
}

export const chooseProblem = (lang: Lang) => T[lang].choose;

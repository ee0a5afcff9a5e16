//! The text of the customer's pages in each language shipped, and how a language is chosen:
//! the customer's locale, else the browser's `Accept-Language`, else English. Question prompts
//! are not here: they are shown as the organization wrote them.

use axum::http::{HeaderMap, header};

/// Every piece of text on the customer's pages, in one language.
pub struct Text {
    /// The `lang` attribute and primary language subtag.
    pub lang: &'static str,
    pub intro: &'static str,
    pub about: &'static str,
    pub date: &'static str,
    pub served_by: &'static str,
    pub required: &'static str,
    pub optional_note: &'static str,
    pub save: &'static str,
    pub submit: &'static str,
    pub saved_notice: &'static str,
    pub saved_status: &'static str,
    pub errors_summary: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub csat_low: &'static str,
    pub csat_high: &'static str,
    pub nps_low: &'static str,
    pub nps_high: &'static str,
    pub ces_low: &'static str,
    pub ces_high: &'static str,
    pub rating_low: &'static str,
    pub rating_high: &'static str,
    pub error_required: &'static str,
    pub error_scale: &'static str,
    pub error_choice: &'static str,
    pub error_text: &'static str,
    pub error_consent: &'static str,
    pub stop_asking: &'static str,
    pub thanks_title: &'static str,
    pub thanks_message: &'static str,
    pub answered_title: &'static str,
    pub answered_message: &'static str,
    pub expired_title: &'static str,
    pub expired_message: &'static str,
    pub invalid_title: &'static str,
    pub invalid_message: &'static str,
    pub bad_form_title: &'static str,
    pub bad_form_message: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_message: &'static str,
    pub failed_title: &'static str,
    pub failed_message: &'static str,
    pub request_id: &'static str,
    pub unsubscribe_title: &'static str,
    pub unsubscribe_message: &'static str,
    pub unsubscribe_button: &'static str,
    pub unsubscribed_title: &'static str,
    pub unsubscribed_message: &'static str,
    pub months: [&'static str; 12],
}

pub static EN: Text = Text {
    lang: "en",
    intro: "Tell us how it went: it takes about a minute.",
    about: "About",
    date: "Date",
    served_by: "Served by",
    required: "required",
    optional_note: "Questions not marked as required may be left blank.",
    save: "Save and finish later",
    submit: "Send my answers",
    saved_notice: "Saved. You can come back to this link to finish.",
    saved_status: "Saved",
    errors_summary: "Please check the answers marked below.",
    yes: "Yes",
    no: "No",
    csat_low: "Very dissatisfied",
    csat_high: "Very satisfied",
    nps_low: "Not at all likely",
    nps_high: "Extremely likely",
    ces_low: "Very easy",
    ces_high: "Very difficult",
    rating_low: "Very poor",
    rating_high: "Excellent",
    error_required: "Please answer this question.",
    error_scale: "Please choose one of the values shown.",
    error_choice: "Please choose among the options shown.",
    error_text: "Please shorten your answer to at most 5,000 characters.",
    error_consent: "Please answer yes or no.",
    stop_asking: "Don't ask me for feedback again",
    thanks_title: "Thank you!",
    thanks_message: "We have received your answers. Thank you for your time: there is nothing more to do.",
    answered_title: "Already answered",
    answered_message: "This survey has already been answered, and only one response is accepted per link. Thank you for your feedback.",
    expired_title: "This survey has closed",
    expired_message: "The time to answer this survey has passed, so answers can no longer be accepted. Thank you all the same.",
    invalid_title: "This link does not work",
    invalid_message: "The link is incomplete or not valid. Please check that you opened the whole link from the message you received.",
    bad_form_title: "The form could not be read",
    bad_form_message: "Please go back, reload the page and try again.",
    unavailable_title: "Temporarily unavailable",
    unavailable_message: "We cannot take your answers right now. Please try again in a few minutes: the link still works.",
    failed_title: "Something went wrong",
    failed_message: "The problem has been logged. Please try again later: the link still works.",
    request_id: "Reference",
    unsubscribe_title: "Stop receiving surveys?",
    unsubscribe_message: "If you confirm, we will not ask you for feedback again.",
    unsubscribe_button: "Unsubscribe",
    unsubscribed_title: "You are unsubscribed",
    unsubscribed_message: "We will not ask you for feedback again.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub static FR: Text = Text {
    lang: "fr",
    intro: "Dites-nous comment cela s'est passé : cela prend environ une minute.",
    about: "Objet",
    date: "Date",
    served_by: "Votre interlocuteur",
    required: "obligatoire",
    optional_note: "Les questions non marquées comme obligatoires peuvent rester sans réponse.",
    save: "Enregistrer et finir plus tard",
    submit: "Envoyer mes réponses",
    saved_notice: "Enregistré. Vous pouvez revenir à ce lien pour terminer.",
    saved_status: "Enregistré",
    errors_summary: "Veuillez vérifier les réponses signalées ci-dessous.",
    yes: "Oui",
    no: "Non",
    csat_low: "Très insatisfait",
    csat_high: "Très satisfait",
    nps_low: "Pas du tout probable",
    nps_high: "Extrêmement probable",
    ces_low: "Très facile",
    ces_high: "Très difficile",
    rating_low: "Très mauvais",
    rating_high: "Excellent",
    error_required: "Veuillez répondre à cette question.",
    error_scale: "Veuillez choisir l'une des valeurs proposées.",
    error_choice: "Veuillez choisir parmi les options proposées.",
    error_text: "Veuillez raccourcir votre réponse à 5 000 caractères au plus.",
    error_consent: "Veuillez répondre par oui ou par non.",
    stop_asking: "Ne plus me demander mon avis",
    thanks_title: "Merci !",
    thanks_message: "Nous avons bien reçu vos réponses. Merci du temps que vous nous avez consacré : vous n'avez plus rien à faire.",
    answered_title: "Déjà répondu",
    answered_message: "Ce questionnaire a déjà reçu une réponse, et une seule réponse est acceptée par lien. Merci pour votre avis.",
    expired_title: "Ce questionnaire est clos",
    expired_message: "Le délai pour répondre à ce questionnaire est passé : les réponses ne sont plus acceptées. Merci tout de même.",
    invalid_title: "Ce lien ne fonctionne pas",
    invalid_message: "Le lien est incomplet ou n'est pas valide. Vérifiez que vous avez ouvert le lien complet du message reçu.",
    bad_form_title: "Le formulaire n'a pas pu être lu",
    bad_form_message: "Revenez en arrière, rechargez la page et réessayez.",
    unavailable_title: "Momentanément indisponible",
    unavailable_message: "Nous ne pouvons pas enregistrer vos réponses pour le moment. Réessayez dans quelques minutes : le lien reste valable.",
    failed_title: "Une erreur s'est produite",
    failed_message: "Le problème a été enregistré. Réessayez plus tard : le lien reste valable.",
    request_id: "Référence",
    unsubscribe_title: "Ne plus recevoir de questionnaires ?",
    unsubscribe_message: "Si vous confirmez, nous ne vous demanderons plus votre avis.",
    unsubscribe_button: "Me désinscrire",
    unsubscribed_title: "Vous êtes désinscrit",
    unsubscribed_message: "Nous ne vous demanderons plus votre avis.",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
};

pub static DE: Text = Text {
    lang: "de",
    intro: "Sagen Sie uns, wie es war: Es dauert etwa eine Minute.",
    about: "Betreff",
    date: "Datum",
    served_by: "Ihr Ansprechpartner",
    required: "Pflichtfrage",
    optional_note: "Fragen, die nicht als Pflichtfrage markiert sind, können leer bleiben.",
    save: "Speichern und später beenden",
    submit: "Antworten senden",
    saved_notice: "Gespeichert. Sie können über diesen Link zurückkehren und den Fragebogen beenden.",
    saved_status: "Gespeichert",
    errors_summary: "Bitte prüfen Sie die unten markierten Antworten.",
    yes: "Ja",
    no: "Nein",
    csat_low: "Sehr unzufrieden",
    csat_high: "Sehr zufrieden",
    nps_low: "Überhaupt nicht wahrscheinlich",
    nps_high: "Äußerst wahrscheinlich",
    ces_low: "Sehr einfach",
    ces_high: "Sehr schwierig",
    rating_low: "Sehr schlecht",
    rating_high: "Ausgezeichnet",
    error_required: "Bitte beantworten Sie diese Frage.",
    error_scale: "Bitte wählen Sie einen der angezeigten Werte.",
    error_choice: "Bitte wählen Sie aus den angezeigten Optionen.",
    error_text: "Bitte kürzen Sie Ihre Antwort auf höchstens 5.000 Zeichen.",
    error_consent: "Bitte antworten Sie mit Ja oder Nein.",
    stop_asking: "Nicht mehr nach meiner Meinung fragen",
    thanks_title: "Vielen Dank!",
    thanks_message: "Wir haben Ihre Antworten erhalten. Danke für Ihre Zeit: Sie müssen nichts weiter tun.",
    answered_title: "Bereits beantwortet",
    answered_message: "Dieser Fragebogen wurde bereits beantwortet; pro Link wird nur eine Antwort angenommen. Vielen Dank für Ihr Feedback.",
    expired_title: "Dieser Fragebogen ist geschlossen",
    expired_message: "Die Frist für diesen Fragebogen ist abgelaufen, Antworten werden nicht mehr angenommen. Trotzdem vielen Dank.",
    invalid_title: "Dieser Link funktioniert nicht",
    invalid_message: "Der Link ist unvollständig oder ungültig. Bitte öffnen Sie den vollständigen Link aus der erhaltenen Nachricht.",
    bad_form_title: "Das Formular konnte nicht gelesen werden",
    bad_form_message: "Bitte gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.",
    unavailable_title: "Vorübergehend nicht verfügbar",
    unavailable_message: "Wir können Ihre Antworten gerade nicht annehmen. Bitte versuchen Sie es in einigen Minuten erneut: Der Link bleibt gültig.",
    failed_title: "Etwas ist schiefgelaufen",
    failed_message: "Der Fehler wurde protokolliert. Bitte versuchen Sie es später erneut: Der Link bleibt gültig.",
    request_id: "Referenz",
    unsubscribe_title: "Keine Umfragen mehr erhalten?",
    unsubscribe_message: "Wenn Sie bestätigen, fragen wir Sie nicht mehr nach Ihrer Meinung.",
    unsubscribe_button: "Abmelden",
    unsubscribed_title: "Sie sind abgemeldet",
    unsubscribed_message: "Wir werden Sie nicht mehr nach Ihrer Meinung fragen.",
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
};

const LANGUAGES: [&Text; 3] = [&EN, &FR, &DE];

/// The language of a tag such as `fr-FR`, `fr_CA` or `DE`, if shipped.
pub(crate) fn supported(tag: &str) -> Option<&'static Text> {
    let primary = tag.trim().split(['-', '_']).next()?;
    LANGUAGES
        .into_iter()
        .find(|t| t.lang.eq_ignore_ascii_case(primary))
}

/// The shipped language the browser prefers most, by `Accept-Language` quality.
fn from_accept_language(headers: &HeaderMap) -> Option<&'static Text> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(u32, &'static Text)> = None;
    for item in value.split(',').take(20) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), |q| {
                q.trim().parse::<f32>().ok().map(|q| (q * 1000.0) as u32)
            });
        if let (Some(text), Some(quality)) = (supported(tag), quality)
            && quality > 0
            && best.is_none_or(|(q, _)| quality > q)
        {
            best = Some((quality, text));
        }
    }
    best.map(|(_, text)| text)
}

/// The customer's language if shipped, else the browser's, else English.
pub fn choose(customer_locale: Option<&str>, headers: &HeaderMap) -> &'static Text {
    customer_locale
        .and_then(supported)
        .or_else(|| from_accept_language(headers))
        .unwrap_or(&EN)
}

/// A date written out in the language, e.g. "20 November 2026" or "20. November 2026".
pub fn long_date(text: &Text, date: jiff::civil::Date) -> String {
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|m| text.months.get(m))
        .copied()
        .unwrap_or_default();
    let separator = if text.lang == "de" { ". " } else { " " };
    format!("{}{separator}{month} {}", date.day(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepting(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_customer_locale_comes_first_then_the_browser_then_english() {
        let german = accepting("de-DE,de;q=0.9");
        assert_eq!(choose(Some("fr-FR"), &german).lang, "fr");
        assert_eq!(choose(Some("fr_CA"), &HeaderMap::new()).lang, "fr");
        assert_eq!(choose(Some("pt-BR"), &german).lang, "de");
        assert_eq!(
            choose(None, &accepting("es, fr;q=0.5, en;q=0.8")).lang,
            "en"
        );
        assert_eq!(choose(None, &accepting("es, fr;q=0.5")).lang, "fr");
        assert_eq!(choose(None, &accepting("fr;q=0, ;;q=x, *")).lang, "en");
        assert_eq!(choose(None, &HeaderMap::new()).lang, "en");
    }

    #[test]
    fn dates_are_written_in_the_language() {
        let date = jiff::civil::date(2026, 11, 20);
        assert_eq!(long_date(&EN, date), "20 November 2026");
        assert_eq!(long_date(&FR, date), "20 novembre 2026");
        assert_eq!(long_date(&DE, date), "20. November 2026");
    }
}

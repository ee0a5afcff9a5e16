//! The text of the guarantee page in each language shipped (the guarantee itself is shown as
//! the organization wrote it). Detailed validation messages are English; the other languages
//! get one clear sentence per field with the allowed range.

use super::i18n::Text;

pub struct GuaranteeText {
    pub page_title: &'static str,
    pub heading: &'static str,
    pub what: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub invoiced: &'static str,
    pub reference: &'static str,
    pub worth_prompt: &'static str,
    pub hint_from: &'static str,
    pub hint_rest: &'static str,
    pub reason_prompt: &'static str,
    pub optional: &'static str,
    pub no_approval: &'static str,
    pub submit: &'static str,
    pub honoured_title: &'static str,
    pub honoured_message: &'static str,
    pub invoked_title: &'static str,
    pub invoked_on: &'static str,
    pub invoked_rest: &'static str,
    pub you_pay: &'static str,
    pub credit: &'static str,
    pub emailed: &'static str,
    /// `{range}` stands for "0 to 120.00 EUR".
    pub error_amount: &'static str,
    /// `{currency}` stands for the invoice's currency code.
    pub error_currency: &'static str,
    pub error_reason: &'static str,
}

pub static EN: GuaranteeText = GuaranteeText {
    page_title: "Our guarantee",
    heading: "Pay what you think it was worth",
    what: "What",
    when: "When",
    who: "Who",
    invoiced: "Invoiced",
    reference: "reference",
    worth_prompt: "What do you think it was worth?",
    hint_from: "Any amount from 0 to",
    hint_rest: "You will pay that, and the rest is credited to you.",
    reason_prompt: "What went wrong?",
    optional: "optional",
    no_approval: "There is no approval step: your guarantee is honoured as soon as you send this, and the president sees it at once.",
    submit: "Invoke the guarantee",
    honoured_title: "Your guarantee is honoured",
    honoured_message: "Thank you for telling us. Nothing more is needed from you: the president has been told personally and will make sure we put it right.",
    invoked_title: "You have invoked our guarantee",
    invoked_on: "The guarantee of this transaction was invoked on",
    invoked_rest: "and it is honoured. It can be invoked once per transaction.",
    you_pay: "You pay",
    credit: "Credit",
    emailed: "We have sent you a confirmation by e-mail.",
    error_amount: "Please enter an amount from {range}.",
    error_currency: "Please enter the amount in {currency}, the currency of the invoice.",
    error_reason: "Please keep what went wrong under 2,000 characters.",
};

pub static FR: GuaranteeText = GuaranteeText {
    page_title: "Notre garantie",
    heading: "Payez ce que vous estimez que cela valait",
    what: "Quoi",
    when: "Quand",
    who: "Qui",
    invoiced: "Facturé",
    reference: "référence",
    worth_prompt: "Combien estimez-vous que cela valait ?",
    hint_from: "Tout montant de 0 à",
    hint_rest: "Vous paierez ce montant, et le reste vous sera crédité.",
    reason_prompt: "Qu'est-ce qui n'a pas été ?",
    optional: "facultatif",
    no_approval: "Aucune validation n'est nécessaire : votre garantie est honorée dès l'envoi, et le président la voit aussitôt.",
    submit: "Faire jouer la garantie",
    honoured_title: "Votre garantie est honorée",
    honoured_message: "Merci de nous l'avoir dit. Vous n'avez rien d'autre à faire : le président a été prévenu personnellement et veillera à ce que nous corrigions la situation.",
    invoked_title: "Vous avez fait jouer notre garantie",
    invoked_on: "La garantie de cette prestation a été invoquée le",
    invoked_rest: "et elle est honorée. Elle ne peut être invoquée qu'une fois par prestation.",
    you_pay: "Vous payez",
    credit: "Crédit",
    emailed: "Nous vous avons envoyé une confirmation par e-mail.",
    error_amount: "Veuillez saisir un montant de {range} (avec un point pour les décimales).",
    error_currency: "Veuillez saisir le montant en {currency}, la devise de la facture.",
    error_reason: "Veuillez limiter votre explication à 2 000 caractères.",
};

pub static DE: GuaranteeText = GuaranteeText {
    page_title: "Unsere Garantie",
    heading: "Zahlen Sie, was es Ihnen wert war",
    what: "Was",
    when: "Wann",
    who: "Wer",
    invoiced: "In Rechnung gestellt",
    reference: "Referenz",
    worth_prompt: "Was war es Ihnen wert?",
    hint_from: "Ein beliebiger Betrag von 0 bis",
    hint_rest: "Sie zahlen diesen Betrag, der Rest wird Ihnen gutgeschrieben.",
    reason_prompt: "Was ist schiefgelaufen?",
    optional: "optional",
    no_approval: "Es gibt keine Prüfung: Ihre Garantie gilt, sobald Sie dies absenden, und der Präsident sieht sie sofort.",
    submit: "Garantie in Anspruch nehmen",
    honoured_title: "Ihre Garantie wird eingelöst",
    honoured_message: "Danke, dass Sie es uns gesagt haben. Sie müssen nichts weiter tun: Der Präsident wurde persönlich informiert und sorgt dafür, dass wir es in Ordnung bringen.",
    invoked_title: "Sie haben unsere Garantie in Anspruch genommen",
    invoked_on: "Die Garantie für diese Leistung wurde in Anspruch genommen am",
    invoked_rest: "und sie wird eingelöst. Sie kann einmal pro Leistung in Anspruch genommen werden.",
    you_pay: "Sie zahlen",
    credit: "Gutschrift",
    emailed: "Wir haben Ihnen eine Bestätigung per E-Mail geschickt.",
    error_amount: "Bitte geben Sie einen Betrag von {range} ein (mit Punkt für Dezimalstellen).",
    error_currency: "Bitte geben Sie den Betrag in {currency} ein, der Währung der Rechnung.",
    error_reason: "Bitte beschreiben Sie es in höchstens 2.000 Zeichen.",
};

/// The guarantee page's text in the language of the survey page's `text`.
pub fn for_language(text: &Text) -> &'static GuaranteeText {
    match text.lang {
        "fr" => &FR,
        "de" => &DE,
        _ => &EN,
    }
}

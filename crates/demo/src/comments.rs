//! Plain-language comments in English, French and German, put together from sentences about
//! what went well or badly. Every sentence carries the words the default taxonomy and the
//! sentiment lexicons recognise, so that the comment analysis finds what the demo hides
//! (a unit test checks each sentence).

use crate::catalog::Details;
use crate::world::{Attribute, Tone};
use rand::Rng;
use rand::seq::SliceRandom;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    French,
    German,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::French, Language::German];

    /// The ISO 639-1 code the analysis reports.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::German => "de",
        }
    }

    /// The language a customer with this locale writes in, now and then English instead.
    pub fn of(rng: &mut impl Rng, locale: &str) -> Language {
        let english_instead = match locale {
            "fr-FR" => 4,
            "de-DE" => 15,
            _ => 100,
        };
        if rng.gen_range(0..100) < english_instead {
            return Language::English;
        }
        if locale.starts_with("fr") {
            Language::French
        } else {
            Language::German
        }
    }
}

/// The kind of contact, which decides how people describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Phone,
    Email,
    Chat,
    Visit,
    Delivery,
    Invoice,
    Account,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Phone,
        Kind::Email,
        Kind::Chat,
        Kind::Visit,
        Kind::Delivery,
        Kind::Invoice,
        Kind::Account,
    ];

    pub fn of(details: Details) -> Kind {
        match details {
            Details::Call => Kind::Phone,
            Details::Ticket => Kind::Email,
            Details::Chat => Kind::Chat,
            Details::WorkOrder => Kind::Visit,
            Details::Delivery => Kind::Delivery,
            Details::Invoice => Kind::Invoice,
            Details::Kickoff | Details::Review => Kind::Account,
        }
    }
}

/// What a sentence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Timeliness,
    Attitude,
    /// Praise of the person who served, by name.
    NamedPraise,
    Accuracy,
    Billing,
    Communication,
    Quality,
    Price,
}

impl Topic {
    pub const ALL: [Topic; 8] = [
        Topic::Timeliness,
        Topic::Attitude,
        Topic::NamedPraise,
        Topic::Accuracy,
        Topic::Billing,
        Topic::Communication,
        Topic::Quality,
        Topic::Price,
    ];

    /// How customers talk about a rated attribute of this kind of contact.
    pub fn of(attribute: Attribute, kind: Kind) -> Topic {
        match attribute {
            Attribute::Timeliness => Topic::Timeliness,
            Attribute::Courtesy => Topic::Attitude,
            Attribute::Accuracy if kind == Kind::Invoice => Topic::Billing,
            Attribute::Accuracy => Topic::Accuracy,
            Attribute::Communication => Topic::Communication,
            Attribute::QualityOfWork => Topic::Quality,
            Attribute::Price => Topic::Price,
        }
    }

    /// The themes of the default taxonomy that a sentence on this topic matches (at least
    /// one of them).
    pub fn themes(self, kind: Kind) -> &'static [&'static str] {
        match self {
            Topic::Timeliness => match kind {
                Kind::Visit | Kind::Delivery => &["delivery", "waiting_time"],
                _ => &["waiting_time"],
            },
            Topic::Attitude | Topic::NamedPraise => &["staff_attitude"],
            Topic::Accuracy => &["accuracy"],
            Topic::Billing => &["billing"],
            Topic::Communication => &["communication"],
            Topic::Quality => &["quality_of_work"],
            Topic::Price => &["price"],
        }
    }
}

/// The numbers and the name a comment may mention.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    /// Minutes waited on the phone or in a chat.
    pub minutes: u32,
    pub hours: u32,
    pub days: u32,
    pub euros: u32,
    /// How the customer calls the person who served them.
    pub name: String,
}

/// A comment of `tone` about `topics` (the first is the main one; a mixed comment praises
/// the first and complains about the second).
pub fn compose(
    rng: &mut impl Rng,
    language: Language,
    kind: Kind,
    tone: Tone,
    topics: &[Topic],
    slots: &Slots,
) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(4);
    match tone {
        Tone::Mixed => {
            let good = topics.first().copied().unwrap_or(Topic::Attitude);
            let bad = topics.get(1).copied().unwrap_or(Topic::Timeliness);
            parts.push(sentence(rng, language, kind, good, true, slots));
            let complaint = sentence(rng, language, kind, bad, false, slots);
            parts.push(format!("{} {}", but(language), lower_first(&complaint)));
        }
        Tone::Positive | Tone::Negative => {
            let positive = tone == Tone::Positive;
            if rng.gen_range(0..100) < 45 {
                parts.push(pick(rng, openers(language, positive)).to_owned());
            }
            for topic in topics {
                parts.push(sentence(rng, language, kind, *topic, positive, slots));
            }
            if rng.gen_range(0..100) < 35 {
                parts.push(pick(rng, closers(language, positive)).to_owned());
            }
        }
    }
    parts.join(" ")
}

/// One sentence on `topic`, its placeholders filled.
pub fn sentence(
    rng: &mut impl Rng,
    language: Language,
    kind: Kind,
    topic: Topic,
    positive: bool,
    slots: &Slots,
) -> String {
    fill(
        pick(rng, bank(language, kind, topic, positive)),
        language,
        kind,
        slots,
    )
}

fn pick<'a>(rng: &mut impl Rng, list: &[&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("")
}

fn fill(template: &str, language: Language, kind: Kind, slots: &Slots) -> String {
    let agent = agent(language, kind);
    template
        .replace("{Agent}", &upper_first(agent))
        .replace("{agent}", agent)
        .replace("{name}", &slots.name)
        .replace("{m}", &slots.minutes.to_string())
        .replace("{h}", &slots.hours.to_string())
        .replace("{d}", &slots.days.to_string())
        .replace("{e}", &slots.euros.to_string())
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The sentence after "but": lower-cased first letter, except for "I" and names (which are
/// already filled in, so a capital there is kept only when the sentence starts with one).
fn lower_first(sentence: &str) -> String {
    let first_word = sentence.split_whitespace().next().unwrap_or("");
    if first_word == "I" || first_word.starts_with("I'") {
        return sentence.to_owned();
    }
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn but(language: Language) -> &'static str {
    match language {
        Language::English => "But",
        Language::French => "Mais",
        Language::German => "Aber",
    }
}

/// Who served the customer, as they would say it.
fn agent(language: Language, kind: Kind) -> &'static str {
    match (language, kind) {
        (Language::English, Kind::Phone) => "the person I spoke to",
        (Language::English, Kind::Email) => "the person who answered",
        (Language::English, Kind::Chat) => "the adviser on the chat",
        (Language::English, Kind::Visit) => "the technician",
        (Language::English, Kind::Delivery) => "the driver",
        (Language::English, Kind::Invoice) => "the billing team",
        (Language::English, Kind::Account) => "our account manager",
        (Language::French, Kind::Phone) => "la personne au téléphone",
        (Language::French, Kind::Email) => "la personne qui m'a répondu",
        (Language::French, Kind::Chat) => "le conseiller du chat",
        (Language::French, Kind::Visit) => "le technicien",
        (Language::French, Kind::Delivery) => "le livreur",
        (Language::French, Kind::Invoice) => "le service facturation",
        (Language::French, Kind::Account) => "notre chargé de compte",
        (Language::German, Kind::Phone) => "die Person am Telefon",
        (Language::German, Kind::Email) => "der Mitarbeiter vom Support",
        (Language::German, Kind::Chat) => "der Berater im Chat",
        (Language::German, Kind::Visit) => "der Techniker",
        (Language::German, Kind::Delivery) => "der Fahrer",
        (Language::German, Kind::Invoice) => "die Buchhaltung",
        (Language::German, Kind::Account) => "unser Kundenbetreuer",
    }
}

fn openers(language: Language, positive: bool) -> &'static [&'static str] {
    match (language, positive) {
        (Language::English, true) => &[
            "Great service.",
            "Very happy overall.",
            "Excellent as always.",
            "Really pleased.",
            "Good experience.",
        ],
        (Language::English, false) => &[
            "Really disappointed.",
            "Not good enough.",
            "Very frustrating.",
            "Poor service this time.",
            "Not happy at all.",
        ],
        (Language::French, true) => &[
            "Très bon service.",
            "Très satisfait dans l'ensemble.",
            "Excellent comme toujours.",
            "Rien à redire.",
            "Bonne expérience.",
        ],
        (Language::French, false) => &[
            "Très déçu.",
            "Franchement décevant.",
            "Vraiment pas terrible.",
            "Service médiocre cette fois.",
            "Pas satisfait du tout.",
        ],
        (Language::German, true) => &[
            "Wirklich sehr gut.",
            "Rundum zufrieden.",
            "Hervorragend wie immer.",
            "Alles super.",
        ],
        (Language::German, false) => &[
            "Sehr enttäuscht.",
            "Leider nicht zufrieden.",
            "Das war schlecht.",
            "Einfach nur ärgerlich.",
        ],
    }
}

fn closers(language: Language, positive: bool) -> &'static [&'static str] {
    match (language, positive) {
        (Language::English, true) => &[
            "Thank you!",
            "Keep up the great work.",
            "Would recommend.",
            "Many thanks.",
        ],
        (Language::English, false) => &[
            "Really poor.",
            "I expected much more, disappointing.",
            "Not acceptable for a contract customer.",
            "Very disappointing.",
        ],
        (Language::French, true) => &[
            "Merci !",
            "Continuez comme ça, bravo.",
            "Je recommande.",
            "Merci beaucoup.",
        ],
        (Language::French, false) => &[
            "Inacceptable pour un client sous contrat.",
            "Décevant, à revoir sérieusement.",
            "C'est décevant.",
            "Vraiment dommage.",
        ],
        (Language::German, true) => &[
            "Vielen Dank!",
            "Super gemacht, weiter so.",
            "Gerne wieder, danke.",
        ],
        (Language::German, false) => &[
            "Sehr schade.",
            "Für einen Vertragskunden inakzeptabel.",
            "Sehr ärgerlich.",
        ],
    }
}

/// The sentences on one topic. Placeholders: `{agent}`/`{Agent}` (who served), `{name}`,
/// `{m}` minutes, `{h}` hours, `{d}` days, `{e}` euros.
fn bank(language: Language, kind: Kind, topic: Topic, positive: bool) -> &'static [&'static str] {
    match language {
        Language::English => english(kind, topic, positive),
        Language::French => french(kind, topic, positive),
        Language::German => german(kind, topic, positive),
    }
}

fn english(kind: Kind, topic: Topic, positive: bool) -> &'static [&'static str] {
    match (topic, positive) {
        (Topic::Timeliness, false) => match kind {
            Kind::Phone => &[
                "I waited {m} minutes on hold before anyone picked up, which is not good enough.",
                "Far too long a wait to get through to someone, {m} minutes on hold is ridiculous.",
                "Stuck in the queue for {m} minutes, really frustrating.",
                "The waiting time on the phone was terrible, I nearly gave up after {m} minutes.",
                "I had to call three times to get through and waited ages each time. Annoying.",
            ],
            Kind::Email => &[
                "It took {d} days to get a reply to my email, which is far too slow and frustrating.",
                "Waiting {d} days for an answer to a simple email is unacceptable.",
                "Very slow response time, I had to chase twice. Annoying.",
            ],
            Kind::Chat => &[
                "I waited {m} minutes in the chat queue, really annoying.",
                "The chat was painfully slow, long waits between every answer. Frustrating.",
                "Far too long a wait on the chat, {m} minutes before anyone answered. Poor.",
            ],
            Kind::Visit => &[
                "The technician arrived {h} hours late and nobody warned us. Very poor.",
                "We waited all morning for the technician, who turned up after lunch. Unacceptable.",
                "Late again, the visit started {h} hours after the agreed time. Disappointing.",
                "The technician never arrived on the agreed day, which was a real problem for us.",
            ],
            Kind::Delivery => &[
                "The delivery arrived {h} hours late, outside our window. Really annoying.",
                "Our order was delivered a day late and we ran out of supplies. Not good enough.",
                "Late delivery again, this is becoming a serious problem.",
            ],
            Kind::Invoice | Kind::Account => &[
                "We are still waiting for the action plan promised {d} weeks ago, disappointing.",
                "Follow-up after the meeting is far too slow, frustrating.",
                "Everything takes too long to get done after we agree it, annoying.",
            ],
        },
        (Topic::Timeliness, true) => match kind {
            Kind::Phone => &[
                "Got through straight away, great service.",
                "My call was answered quickly and everything was done in minutes, excellent.",
                "Quick answer, hardly any time on hold, perfect.",
                "Answered promptly and efficiently, thank you.",
            ],
            Kind::Email => &[
                "Quick and helpful reply to my email, thanks.",
                "Answered within the hour, great response time.",
                "Fast, clear reply, very impressed.",
            ],
            Kind::Chat => &[
                "The chat was quick and easy, brilliant.",
                "Answered immediately on the chat, very impressed.",
                "Fast and friendly chat, great.",
            ],
            Kind::Visit => &[
                "The technician arrived right on time, great.",
                "Punctual and efficient, perfect.",
                "Arrived early and got straight to work, excellent.",
            ],
            Kind::Delivery => &[
                "Delivered on time as always, great.",
                "The delivery arrived early in the window, perfect.",
                "Fast delivery, everything arrived the next morning. Excellent.",
            ],
            Kind::Invoice | Kind::Account => &[
                "Everything was set up quickly after the meeting, excellent.",
                "Prompt follow-up on every action, very efficient.",
                "Quick to act on our requests, great.",
            ],
        },
        (Topic::Attitude, false) => &[
            "{Agent} was rude and clearly not interested in helping.",
            "{Agent} was unfriendly and dismissive, a terrible way to treat a customer.",
            "Unpleasant attitude from {agent}, I felt like a nuisance.",
            "{Agent} was impatient and kept cutting me off, very rude.",
        ],
        (Topic::Attitude, true) => &[
            "{Agent} was really friendly and helpful.",
            "{Agent} was polite, patient and very pleasant.",
            "Lovely manner from {agent}, made everything easy.",
            "{Agent} went above and beyond for us, thank you.",
        ],
        (Topic::NamedPraise, _) => &[
            "{name} was fantastic, so friendly and helpful.",
            "Special thanks to {name}, who was patient and really professional.",
            "{name} went above and beyond again, a real asset to your team.",
            "{name} is always cheerful and helpful, thank you!",
            "Big thanks to {name} for being so helpful and polite.",
        ],
        (Topic::Accuracy, false) => match kind {
            Kind::Delivery => &[
                "Half the order was missing and two items were wrong. Annoying.",
                "Wrong products delivered again, a mix-up that cost us a day.",
            ],
            _ => &[
                "The information I was given was wrong and I had to call again to correct it. Annoying.",
                "Several mistakes again, nobody seems to check anything.",
                "They got the details wrong, which caused us a lot of trouble.",
            ],
        },
        (Topic::Accuracy, true) => match kind {
            Kind::Delivery => &[
                "The order was complete and correct, great.",
                "Everything we ordered, accurate as always, perfect.",
            ],
            _ => &[
                "They got it right first time, excellent.",
                "Precise, accurate answers to all my questions, very helpful.",
                "Everything was accurate and well organised, great.",
            ],
        },
        (Topic::Billing, false) => &[
            "We were charged twice this month, a ridiculous mistake, and no refund yet.",
            "The invoice was wrong again, overcharged by {e} euros. Annoying.",
            "Our invoice included visits that never happened, which is unacceptable.",
        ],
        (Topic::Billing, true) => &[
            "Clear and accurate invoice, thanks.",
            "Billing is always correct and easy to check, thank you.",
            "The invoice was right and the payment went through smoothly, great.",
        ],
        (Topic::Communication, false) => &[
            "Nobody called back as promised, really poor communication.",
            "We were never kept informed and had to chase for updates every time. Frustrating.",
            "Unclear explanation of what happens next, confusing and annoying.",
            "No one told us about the change, very disappointing.",
        ],
        (Topic::Communication, true) => &[
            "Kept me informed at every step, great communication.",
            "Clear explanation of what was done and what happens next, thank you.",
            "Good updates throughout, excellent communication.",
        ],
        (Topic::Quality, false) => &[
            "Sloppy work, the technician left a mess behind. Poor.",
            "The repair did not hold, the same fault came back within a week. Poor job.",
            "Shoddy workmanship, we are not happy.",
        ],
        (Topic::Quality, true) => &[
            "Excellent job, neat and tidy work.",
            "Very thorough work, everything works perfectly now.",
            "Great quality of work, the site was left clean.",
        ],
        (Topic::Price, false) => &[
            "Far too expensive for what was done, disappointing.",
            "The price has gone up again and the value for money is poor.",
            "Overpriced compared with other providers, not happy.",
        ],
        (Topic::Price, true) => &[
            "Fair price for good work.",
            "Good value for money, happy with the quote.",
            "Reasonable price, great value.",
        ],
    }
}

fn french(kind: Kind, topic: Topic, positive: bool) -> &'static [&'static str] {
    match (topic, positive) {
        (Topic::Timeliness, false) => match kind {
            Kind::Phone => &[
                "J'ai attendu {m} minutes avant d'avoir quelqu'un, c'est inadmissible.",
                "Temps d'attente beaucoup trop long au téléphone, {m} minutes, franchement décevant.",
                "Encore {m} minutes en attente, c'est pénible.",
                "J'ai dû appeler trois fois et patienter longtemps à chaque fois, c'est agaçant.",
            ],
            Kind::Email => &[
                "{d} jours pour obtenir une réponse à mon mail, c'est beaucoup trop lent.",
                "Délai de réponse inacceptable, j'ai dû relancer deux fois.",
                "Attente interminable pour une simple réponse par mail, décevant.",
            ],
            Kind::Chat => &[
                "J'ai attendu {m} minutes dans le chat avant d'avoir un conseiller, c'est pénible.",
                "Chat très lent, de longues minutes entre chaque réponse, frustrant.",
            ],
            Kind::Visit => &[
                "Le technicien est arrivé avec {h} heures de retard, sans prévenir. Inadmissible.",
                "Nous avons attendu toute la matinée le technicien, arrivé en retard. Très décevant.",
                "Encore en retard, l'intervention a commencé {h} heures après l'heure prévue. Pas sérieux.",
            ],
            Kind::Delivery => &[
                "Livraison arrivée avec {h} heures de retard, en dehors du créneau prévu. Pénible.",
                "Commande livrée avec un jour de retard, nous étions en rupture. Inacceptable.",
                "Encore une livraison en retard, c'est agaçant.",
            ],
            Kind::Invoice | Kind::Account => &[
                "Nous attendons toujours le plan d'action promis il y a {d} semaines, c'est décevant.",
                "Suivi beaucoup trop lent après la réunion, frustrant.",
            ],
        },
        (Topic::Timeliness, true) => match kind {
            Kind::Phone => &[
                "Appel pris tout de suite et demande traitée rapidement, merci.",
                "Très rapide, presque pas d'attente, super.",
                "On m'a répondu immédiatement, parfait.",
            ],
            Kind::Email => &[
                "Réponse rapide et complète à mon mail, merci beaucoup.",
                "Réponse très rapide, reçue dans l'heure, efficace.",
            ],
            Kind::Chat => &[
                "Chat rapide et efficace, parfait.",
                "On m'a répondu immédiatement sur le chat, vraiment top.",
            ],
            Kind::Visit => &[
                "Technicien arrivé à l'heure, parfait.",
                "Ponctuel et efficace, rien à redire.",
                "Arrivé en avance et travail commencé tout de suite, excellent.",
            ],
            Kind::Delivery => &[
                "Livraison à l'heure comme toujours, parfait.",
                "Livré en avance dans le créneau, super.",
            ],
            Kind::Invoice | Kind::Account => &[
                "Tout a été mis en place rapidement après la réunion, excellent.",
                "Suivi très rapide de chaque action, efficace.",
            ],
        },
        (Topic::Attitude, false) => &[
            "{Agent} a été désagréable et pas du tout à l'écoute.",
            "Accueil froid et attitude méprisante de {agent}.",
            "{Agent} m'a coupé la parole plusieurs fois, très désagréable.",
        ],
        (Topic::Attitude, true) => &[
            "{Agent} a été très aimable et serviable.",
            "{Agent} a été d'une grande gentillesse et très à l'écoute.",
            "{Agent} nous a réservé un accueil chaleureux, merci.",
        ],
        (Topic::NamedPraise, _) => &[
            "{name} a été formidable, très aimable et efficace.",
            "Un grand merci à {name}, toujours à l'écoute et serviable.",
            "{name} a été d'une gentillesse remarquable, bravo.",
            "Merci à {name} pour sa gentillesse et son efficacité.",
        ],
        (Topic::Accuracy, false) => match kind {
            Kind::Delivery => &[
                "La moitié de la commande manquait et deux articles étaient faux, pénible.",
                "Encore une erreur dans la commande, ce n'est pas le bon produit. Agaçant.",
            ],
            _ => &[
                "On m'a donné une information erronée et j'ai dû rappeler pour corriger. Pénible.",
                "Encore plusieurs erreurs, personne ne vérifie rien.",
                "Ils se sont trompés sur les détails, ce qui nous a causé beaucoup de problèmes.",
            ],
        },
        (Topic::Accuracy, true) => match kind {
            Kind::Delivery => &[
                "Commande complète et correcte, aucune erreur, parfait.",
                "Tout était exact, comme toujours, merci.",
            ],
            _ => &[
                "Tout était exact et correct du premier coup, parfait.",
                "Réponses précises à toutes mes questions, merci.",
            ],
        },
        (Topic::Billing, false) => &[
            "Nous avons été facturés deux fois ce mois-ci et le remboursement n'est toujours pas arrivé. Inadmissible.",
            "Facture encore erronée, {e} euros de trop, c'est agaçant.",
            "Notre facture comprend des interventions jamais réalisées, très mécontent.",
        ],
        (Topic::Billing, true) => &[
            "Facture claire et exacte, merci.",
            "Facturation toujours correcte et facile à vérifier, merci.",
        ],
        (Topic::Communication, false) => &[
            "Personne ne m'a rappelé comme promis, communication vraiment mauvaise.",
            "Jamais tenu au courant, j'ai dû relancer à chaque fois. Frustrant.",
            "Aucune explication sur la suite, c'est confus et agaçant.",
            "Personne ne nous a prévenus du changement, très décevant.",
        ],
        (Topic::Communication, true) => &[
            "Tenu au courant à chaque étape, communication excellente.",
            "Explications claires sur ce qui a été fait et la suite, merci.",
        ],
        (Topic::Quality, false) => &[
            "Travail bâclé, le technicien a laissé du désordre.",
            "La réparation n'a pas tenu, la même panne est revenue en une semaine. Travail mal fait.",
            "Finitions médiocres, nous ne sommes pas satisfaits.",
        ],
        (Topic::Quality, true) => &[
            "Excellent travail, propre et soigné.",
            "Travail minutieux, tout fonctionne parfaitement maintenant.",
            "Très bonne qualité de travail, site laissé propre.",
        ],
        (Topic::Price, false) => &[
            "Beaucoup trop cher pour ce qui a été fait.",
            "Le prix a encore augmenté et le rapport qualité prix est mauvais.",
            "Tarifs excessifs par rapport aux autres prestataires.",
        ],
        (Topic::Price, true) => &[
            "Prix correct pour un bon travail.",
            "Bon rapport qualité prix, devis respecté.",
            "Tarif raisonnable, très satisfait.",
        ],
    }
}

fn german(kind: Kind, topic: Topic, positive: bool) -> &'static [&'static str] {
    match (topic, positive) {
        (Topic::Timeliness, false) => match kind {
            Kind::Phone => &[
                "Ich habe {m} Minuten in der Warteschleife gewartet, das ist eine Zumutung.",
                "Viel zu lange Wartezeit am Telefon, {m} Minuten. Sehr ärgerlich.",
                "Wieder {m} Minuten gewartet, bis jemand abgenommen hat. Unmöglich.",
            ],
            Kind::Email => &[
                "{d} Tage auf eine Antwort per E-Mail gewartet, viel zu langsam.",
                "Die Antwort auf meine Mail hat ewig gedauert, sehr enttäuschend.",
            ],
            Kind::Chat => &[
                "Ich habe {m} Minuten im Chat gewartet, bis sich jemand gemeldet hat. Ärgerlich.",
                "Der Chat war extrem langsam, sehr mühsam.",
            ],
            Kind::Visit => &[
                "Der Techniker kam {h} Stunden zu spät, ohne Bescheid zu geben. Inakzeptabel.",
                "Wir haben den ganzen Vormittag auf den Techniker gewartet, er kam verspätet. Sehr enttäuschend.",
                "Schon wieder unpünktlich, der Einsatz begann {h} Stunden später als vereinbart. Ärgerlich.",
            ],
            Kind::Delivery => &[
                "Die Lieferung kam {h} Stunden zu spät, außerhalb des Zeitfensters. Ärgerlich.",
                "Die Bestellung wurde einen Tag verspätet geliefert, sehr schlecht.",
            ],
            Kind::Invoice | Kind::Account => &[
                "Wir warten immer noch auf den versprochenen Maßnahmenplan, enttäuschend.",
                "Die Umsetzung nach dem Termin ist viel zu langsam, ärgerlich.",
            ],
        },
        (Topic::Timeliness, true) => match kind {
            Kind::Phone => &[
                "Sofort durchgekommen, keine Wartezeit, super.",
                "Schnell verbunden und alles zügig erledigt, danke.",
            ],
            Kind::Email => &[
                "Schnelle und hilfreiche Antwort auf meine E-Mail, danke.",
                "Innerhalb einer Stunde geantwortet, sehr schnell und kompetent.",
            ],
            Kind::Chat => &[
                "Der Chat war schnell und unkompliziert, prima.",
                "Sofort eine Antwort im Chat bekommen, top.",
            ],
            Kind::Visit => &[
                "Der Techniker war pünktlich da, perfekt.",
                "Pünktlich und kompetent, sehr zufrieden.",
            ],
            Kind::Delivery => &[
                "Pünktlich geliefert wie immer, super.",
                "Die Lieferung kam rechtzeitig und vollständig, sehr gut.",
            ],
            Kind::Invoice | Kind::Account => &[
                "Nach dem Termin wurde alles schnell umgesetzt, ausgezeichnet.",
                "Sehr zügige Umsetzung aller Punkte, top.",
            ],
        },
        (Topic::Attitude, false) => &[
            "{Agent} war unfreundlich und hatte keine Lust zu helfen.",
            "{Agent} war unhöflich und respektlos, so behandelt man keine Kunden.",
            "{Agent} hat sich sehr unverschämt verhalten.",
        ],
        (Topic::Attitude, true) => &[
            "{Agent} war sehr freundlich und hilfsbereit.",
            "{Agent} war höflich, geduldig und sehr kompetent.",
            "{Agent} war ausgesprochen nett und zuvorkommend, danke.",
        ],
        (Topic::NamedPraise, _) => &[
            "{name} war großartig, so freundlich und hilfsbereit.",
            "Vielen Dank an {name}, immer freundlich und geduldig.",
            "{name} war wirklich engagiert und super freundlich.",
        ],
        (Topic::Accuracy, false) => match kind {
            Kind::Delivery => &[
                "Die Hälfte der Bestellung fehlte und zwei Artikel waren falsch. Ärgerlich.",
                "Schon wieder falsche Produkte geliefert, sehr schlecht.",
            ],
            _ => &[
                "Die Auskunft war falsch, ich musste noch einmal anrufen. Ärgerlich.",
                "Schon wieder mehrere Fehler, niemand prüft etwas nach.",
                "Die Angaben wurden verwechselt, das hat uns viel Ärger gemacht.",
            ],
        },
        (Topic::Accuracy, true) => match kind {
            Kind::Delivery => &[
                "Die Bestellung war vollständig und korrekt, super.",
                "Alles korrekt geliefert, wie immer, danke.",
            ],
            _ => &[
                "Alles korrekt und genau beim ersten Mal, sehr gut.",
                "Präzise Antworten auf alle Fragen, sehr hilfreich.",
            ],
        },
        (Topic::Billing, false) => &[
            "Wir wurden diesen Monat doppelt abgebucht und die Erstattung fehlt immer noch. Inakzeptabel.",
            "Die Rechnung war wieder falsch, {e} Euro zu viel berechnet. Ärgerlich.",
        ],
        (Topic::Billing, true) => &[
            "Klare und korrekte Rechnung, super.",
            "Die Abrechnung stimmt immer und ist leicht nachzuvollziehen, danke.",
        ],
        (Topic::Communication, false) => &[
            "Niemand hat wie versprochen zurückgerufen, sehr schlechte Kommunikation.",
            "Wir wurden nie informiert und mussten ständig nachfragen. Ärgerlich.",
            "Keine Erklärung, wie es weitergeht, sehr ärgerlich.",
        ],
        (Topic::Communication, true) => &[
            "Wir wurden bei jedem Schritt auf dem Laufenden gehalten, tolle Kommunikation.",
            "Klare Erklärung, was gemacht wurde und wie es weitergeht, danke.",
        ],
        (Topic::Quality, false) => &[
            "Schlampige Arbeit, der Techniker hat alles dreckig hinterlassen.",
            "Die Reparatur hat nicht gehalten, nach einer Woche war es wieder kaputt. Ärgerlich.",
        ],
        (Topic::Quality, true) => &[
            "Saubere und gründliche Arbeit, sehr zufrieden.",
            "Fachmännisch repariert, alles funktioniert wieder einwandfrei.",
        ],
        (Topic::Price, false) => &[
            "Viel zu teuer für das, was gemacht wurde.",
            "Der Preis ist schon wieder gestiegen, das ist überteuert.",
        ],
        (Topic::Price, true) => &[
            "Fairer Preis für gute Arbeit.",
            "Günstiger Preis und sehr gute Leistung.",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::analysis::{CompiledStaff, StaffName, Taxonomy, analyze_compiled};

    fn slots() -> Slots {
        Slots {
            minutes: 25,
            hours: 2,
            days: 3,
            euros: 120,
            name: "Camille Durand".into(),
        }
    }

    /// Every sentence, in every language and for every kind of contact, is read by the
    /// analysis as what it is meant to be: the right theme, the right sign of sentiment, the
    /// right language and, when it names someone, that person.
    #[test]
    fn the_analysis_reads_every_sentence_as_meant() {
        let taxonomy = Taxonomy::default_taxonomy().compile();
        let staff = CompiledStaff::new(&[StaffName {
            id: 7,
            full_name: "Camille Durand".into(),
        }]);
        let mut failures = Vec::new();
        for language in Language::ALL {
            for kind in Kind::ALL {
                for topic in Topic::ALL {
                    for positive in [true, false] {
                        for template in bank(language, kind, topic, positive) {
                            let text = fill(template, language, kind, &slots());
                            let analysis = analyze_compiled(&text, &taxonomy, &staff);
                            let themed = topic
                                .themes(kind)
                                .iter()
                                .any(|t| analysis.themes.iter().any(|a| a == t));
                            let signed = if positive || topic == Topic::NamedPraise {
                                analysis.sentiment > 0.05
                            } else {
                                analysis.sentiment < -0.05
                            };
                            let language_ok = analysis
                                .language
                                .as_deref()
                                .is_none_or(|l| l == language.code());
                            let named =
                                topic != Topic::NamedPraise || analysis.staff_mentions == vec![7];
                            if !(themed && signed && language_ok && named) {
                                failures.push(format!("{text:?}: {analysis:?}"));
                            }
                        }
                    }
                }
            }
            for positive in [true, false] {
                for text in openers(language, positive)
                    .iter()
                    .chain(closers(language, positive))
                {
                    let analysis = analyze_compiled(text, &taxonomy, &staff);
                    let signed = if positive {
                        analysis.sentiment > 0.05
                    } else {
                        analysis.sentiment < -0.05
                    };
                    if !signed || analysis.themes.iter().any(|t| t == "waiting_time") {
                        failures.push(format!("{text:?}: {analysis:?}"));
                    }
                }
            }
        }
        failures.dedup();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_mixed_comment_praises_then_complains() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let text = compose(
            &mut rng,
            Language::English,
            Kind::Visit,
            Tone::Mixed,
            &[Topic::Quality, Topic::Attitude],
            &slots(),
        );
        assert!(text.contains(" But the technician "), "{text}");
        let text = compose(
            &mut rng,
            Language::English,
            Kind::Phone,
            Tone::Mixed,
            &[Topic::Attitude, Topic::Timeliness],
            &slots(),
        );
        assert!(text.contains(" But "), "{text}");
        assert!(!text.contains("But i "), "{text}");
    }
}

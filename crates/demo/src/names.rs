//! Names of people, companies and places per locale, fictional phone numbers, and turning a
//! name into the ASCII part of an e-mail address.

use crate::world::Segment;
use rand::Rng;
use rand::seq::SliceRandom;

/// The languages and countries the demo customers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    French,
    British,
    German,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::French => "fr-FR",
            Locale::British => "en-GB",
            Locale::German => "de-DE",
        }
    }

    /// Mostly French, as the organization is based in Paris.
    pub fn pick(rng: &mut impl Rng) -> Locale {
        match rng.gen_range(0..100) {
            0..60 => Locale::French,
            60..82 => Locale::British,
            _ => Locale::German,
        }
    }

    fn pools(self) -> &'static Pools {
        match self {
            Locale::French => &FRENCH,
            Locale::British => &BRITISH,
            Locale::German => &GERMAN,
        }
    }

    /// A number in the ranges regulators reserve for fiction, so no real line is ever dialled:
    /// Ofcom's 020 7946 0xxx, ARCEP's 01 99 00 xx xx, the Bundesnetzagentur's 030 23125 xxx.
    pub fn phone(self, rng: &mut impl Rng) -> String {
        match self {
            Locale::British => format!("+44 20 7946 0{:03}", rng.gen_range(0..1000)),
            Locale::French => format!(
                "+33 1 99 00 {:02} {:02}",
                rng.gen_range(0..100),
                rng.gen_range(0..100)
            ),
            Locale::German => format!("+49 30 23125 {:03}", rng.gen_range(0..1000)),
        }
    }

    pub fn cities(self) -> &'static [&'static str] {
        self.pools().cities
    }
}

struct Pools {
    first: &'static [&'static str],
    last: &'static [&'static str],
    places: &'static [&'static str],
    cities: &'static [&'static str],
    /// Company name patterns per segment; `{L}`/`{M}` are surnames, `{P}` a place.
    enterprise: &'static [&'static str],
    mid_market: &'static [&'static str],
    small: &'static [&'static str],
}

#[rustfmt::skip]
static FRENCH: Pools = Pools {
    first: &["Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Hélène", "Claire",
        "Élodie", "Nathalie", "Sophie", "Amélie", "Pauline", "Margaux", "Lucas", "Hugo", "Louis",
        "Nathan", "Thomas", "Julien", "Nicolas", "Antoine", "Mathieu", "Pierre", "Olivier",
        "Laurent", "Benoît", "Rémi", "Théo"],
    last: &["Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent",
        "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
        "François", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Henry",
        "Roussel", "Perrin", "Morin", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
        "Chevalier", "Robin", "Masson", "Marchand", "Duval", "Lemaire", "Noël", "Meunier",
        "Brun"],
    places: &["du Parc", "des Lilas", "de la Gare", "du Marché", "Saint-Michel", "des Tilleuls",
        "du Lac", "Bellevue", "des Vignes", "du Port", "de l'Étoile", "Sainte-Anne", "du Centre",
        "des Alpes", "Montmartre"],
    cities: &["Paris", "Lyon", "Lille", "Nantes", "Bordeaux", "Toulouse", "Rennes", "Strasbourg"],
    enterprise: &["Groupe {L}", "{L} Industries", "Centre hospitalier {P}", "{L} Distribution",
        "{L} & {M} Associés"],
    mid_market: &["{L} & Fils", "Clinique {P}", "Hôtel {P}", "{L} Immobilier", "Résidence {P}",
        "Cabinet {L} & {M}", "Lycée {P}"],
    small: &["Boulangerie {L}", "Pharmacie {P}", "Garage {L}", "Cabinet dentaire {L}",
        "Restaurant {P}", "Fleurs {L}", "Agence {L}"],
};

#[rustfmt::skip]
static BRITISH: Pools = Pools {
    first: &["Oliver", "George", "Harry", "Jack", "Charlie", "James", "William", "Daniel",
        "Matthew", "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Jessica", "Grace",
        "Rachel", "Hannah", "Eleanor"],
    last: &["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
        "Wood", "Jackson", "Clarke", "Patel", "Hughes", "Edwards", "Turner", "Cooper"],
    places: &["Riverside", "Kingsway", "Oakwood", "Highgate", "Meadowbank", "Harbour",
        "Elm Park", "Westfield", "Ashford", "Castlegate", "Millbrook", "St Albans"],
    cities: &["London", "Manchester", "Bristol", "Leeds", "Edinburgh"],
    enterprise: &["{L} Group", "{P} University Hospital", "{L} Holdings", "{L} & {M} Retail"],
    mid_market: &["{L} & Sons", "{P} Hotel", "{P} Medical Centre", "{L} Architects",
        "{P} Academy", "{L} & {M} LLP"],
    small: &["{L} Dental Practice", "The {P} Café", "{L} Florist", "{P} Pharmacy",
        "{L} Accountants", "{L} Bakery"],
};

#[rustfmt::skip]
static GERMAN: Pools = Pools {
    first: &["Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Maximilian", "Jan", "Stefan",
        "Andreas", "Anna", "Lena", "Marie", "Sophie", "Laura", "Julia", "Katharina", "Sabine",
        "Claudia", "Jana"],
    last: &["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
        "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange"],
    places: &["am Stadtpark", "Lindenhof", "Rosengarten", "Sonnenhof", "am See", "Bergblick",
        "Waldblick", "Rheinblick", "am Markt", "Altstadt"],
    cities: &["Berlin", "Hamburg", "München", "Köln", "Frankfurt"],
    enterprise: &["{L} AG", "Klinikum {P}", "{L} Holding", "{L} Industrie GmbH"],
    mid_market: &["Hotel {P}", "{L} & {M} Partner", "Autohaus {L}", "Seniorenresidenz {P}",
        "{L} Logistik GmbH", "Gymnasium {P}"],
    small: &["Bäckerei {L}", "Praxis Dr. {L}", "Apotheke {P}", "Café {P}", "Kanzlei {L}",
        "Blumen {L}"],
};

/// A person's first and last name in a locale.
pub fn person(rng: &mut impl Rng, locale: Locale) -> (&'static str, &'static str) {
    let pools = locale.pools();
    (pick(rng, pools.first), pick(rng, pools.last))
}

/// A company name fitting the segment, e.g. "Clinique du Parc" or "Schneider Logistik GmbH".
pub fn company(rng: &mut impl Rng, locale: Locale, segment: Segment) -> String {
    let pools = locale.pools();
    let patterns = match segment {
        Segment::Enterprise => pools.enterprise,
        Segment::MidMarket => pools.mid_market,
        Segment::SmallBusiness => pools.small,
    };
    let surname = pick(rng, pools.last);
    let partner = loop {
        let other = pick(rng, pools.last);
        if other != surname {
            break other;
        }
    };
    pick(rng, patterns)
        .replace("{L}", surname)
        .replace("{M}", partner)
        .replace("{P}", pick(rng, pools.places))
}

fn pick(rng: &mut impl Rng, list: &'static [&'static str]) -> &'static str {
    list.choose(rng).copied().unwrap_or("Demo")
}

/// Lowercase ASCII letters and digits with `separator` between words, for e-mail addresses:
/// "Hélène Müller" → `helene.mueller`, "Hôtel de l'Étoile" → `hotel-de-l-etoile`.
pub fn slug(text: &str, separator: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match fold(c) {
            Some(ascii) => out.push_str(ascii),
            None if c.is_ascii_alphanumeric() => out.push(c),
            None if !out.is_empty() && !out.ends_with(separator) => out.push(separator),
            None => {}
        }
    }
    while out.ends_with(separator) {
        out.pop();
    }
    out
}

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'â' | 'á' => "a",
        'ä' | 'æ' => "ae",
        'ç' => "c",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'î' | 'ï' | 'í' => "i",
        'ô' | 'ó' => "o",
        'ö' | 'œ' => "oe",
        'ù' | 'û' | 'ú' => "u",
        'ü' => "ue",
        'ß' => "ss",
        'ÿ' => "y",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Hélène Müller", '.'), "helene.mueller");
        assert_eq!(slug("Hôtel de l'Étoile", '-'), "hotel-de-l-etoile");
        assert_eq!(slug("Praxis Dr. Weiß ", '-'), "praxis-dr-weiss");
        assert_eq!(slug("Cabinet Roux & Faure", '-'), "cabinet-roux-faure");
    }

    #[test]
    fn fictional_phone_numbers_have_the_reserved_shape() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert!(Locale::British.phone(&mut rng).starts_with("+44 20 7946 0"));
        assert!(Locale::French.phone(&mut rng).starts_with("+33 1 99 00 "));
        assert!(Locale::German.phone(&mut rng).starts_with("+49 30 23125 "));
    }
}

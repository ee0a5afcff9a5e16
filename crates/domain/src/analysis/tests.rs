//! Sentiment, language and robustness tests of the whole analysis.

use super::*;

fn analyse(text: &str) -> CommentAnalysis {
    analyze(text, &Taxonomy::default_taxonomy(), &[])
}

fn sentiment(text: &str) -> f64 {
    analyse(text).sentiment
}

fn language(text: &str) -> Option<String> {
    analyse(text).language
}

#[test]
fn clear_english_comments_score_with_the_expected_sign_and_size() {
    assert!(sentiment("The technician was fantastic, friendly and very helpful.") > 0.7);
    assert!(sentiment("Great service, thank you!") > 0.5);
    assert!(sentiment("Terrible service, rude staff and a wasted afternoon.") < -0.7);
    assert!(sentiment("Awful experience: I waited for hours, very disappointing.") < -0.5);
    assert_eq!(sentiment("I called on Tuesday about my contract."), 0.0);
}

#[test]
fn english_negation_flips_the_sign() {
    assert!(sentiment("The service was good.") > 0.3);
    assert!(sentiment("The service was not good.") < -0.2);
    assert!(sentiment("The staff weren't helpful at all.") < -0.2);
}

#[test]
fn clear_french_comments_score_with_the_expected_sign_and_size() {
    assert!(sentiment("Le technicien était très aimable et efficace, je recommande !") > 0.7);
    assert!(sentiment("Personnel très sympathique, travail impeccable, merci beaucoup.") > 0.7);
    assert!(sentiment("Service déplorable, personne ne m'a rappelé. Très déçu.") < -0.7);
    assert!(sentiment("Trop cher et beaucoup trop lent.") < -0.4);
    assert_eq!(sentiment("J'ai appelé mardi au sujet de mon contrat."), 0.0);
}

#[test]
fn french_negation_flips_the_sign() {
    assert!(sentiment("Le service était bon.") > 0.3);
    assert!(sentiment("Le service n'était pas bon.") < -0.2);
    assert!(sentiment("Le service était pas bon.") < -0.2);
    assert!(sentiment("Je recommande cette entreprise.") > 0.3);
    assert!(sentiment("Je ne recommande pas cette entreprise.") < -0.2);
    assert!(sentiment("Le technicien n'est jamais satisfaisant.") < -0.2);
    assert!(sentiment("Intervention sans problème.") > 0.2);
    assert!(sentiment("Pas mal du tout.") > 0.2);
    assert!(sentiment("Franchement, c'est pas terrible.") < -0.2);
    assert!(sentiment("Personnel peu aimable.") < -0.2);
}

#[test]
fn french_intensifiers_softeners_and_contrast_weigh_in() {
    let slow = sentiment("Le technicien était lent.");
    assert!(sentiment("Le technicien était très lent.") < slow);
    let a_little_slow = sentiment("Le technicien était un peu lent.");
    assert!(a_little_slow < 0.0 && a_little_slow > slow);
    assert!(sentiment("Facture fausse mais technicien très aimable.") > 0.2);
    assert!(sentiment("Technicien très aimable mais facture fausse.") < 0.0);
    assert!(sentiment("Super !!!") > sentiment("Super"));
}

#[test]
fn german_comments_score_with_negation() {
    assert!(sentiment("Der Techniker war sehr freundlich und kompetent, alles super!") > 0.7);
    assert!(sentiment("Die Wartezeit war viel zu lang und der Service war schlecht.") < -0.4);
    assert!(sentiment("Der Service war nicht gut.") < -0.2);
    assert!(sentiment("Das gefällt mir nicht.") < -0.2);
    assert!(sentiment("Kein Problem, alles erledigt.") > 0.2);
    assert_eq!(
        sentiment("Ich habe am Dienstag wegen meines Vertrags angerufen."),
        0.0
    );
}

#[test]
fn the_language_of_ordinary_comments_is_identified() {
    let cases = [
        (
            "The technician arrived late but fixed the boiler quickly.",
            "en",
        ),
        (
            "Waited forty minutes on hold, then they hung up on me.",
            "en",
        ),
        (
            "Le technicien est arrivé en retard mais a vite réparé la chaudière.",
            "fr",
        ),
        ("Accueil chaleureux, temps d'attente raisonnable.", "fr"),
        (
            "Der Techniker kam zu spät, hat die Heizung aber schnell repariert.",
            "de",
        ),
        ("Sehr zufrieden mit dem Service", "de"),
        (
            "El técnico llegó tarde y no resolvió el problema de la factura.",
            "es",
        ),
        ("De monteur kwam te laat en de factuur klopte niet.", "nl"),
    ];
    for (text, expected) in cases {
        assert_eq!(language(text).as_deref(), Some(expected), "{text}");
    }
}

#[test]
fn very_short_or_wordless_comments_have_no_language() {
    for text in ["", "ok", "Super", "👍👍", "10/10", "!!!", "Top"] {
        assert_eq!(language(text), None, "{text:?}");
    }
}

#[test]
fn short_comments_are_scored_in_their_likely_language() {
    assert_eq!(language("Trop cher").as_deref(), Some("fr"));
    assert!(sentiment("Trop cher") < -0.2);
    assert!(sentiment("Alles gut") > 0.2);
    assert!(sentiment("Great service") > 0.4);
    assert!(sentiment("Très bien") > 0.3);
    assert!(sentiment("ok 👍") > 0.0);
}

#[test]
fn comments_in_languages_without_a_lexicon_get_no_sentiment() {
    let spanish = analyse("Il tecnico è arrivato in ritardo e la fattura era sbagliata, pessimo.");
    assert_eq!(spanish.language.as_deref(), Some("it"));
    assert_eq!(spanish.sentiment, 0.0);
}

#[test]
fn empty_comments_have_nothing() {
    let empty = analyse("");
    assert_eq!(empty.sentiment, 0.0);
    assert_eq!(empty.language, None);
    assert!(empty.themes.is_empty() && empty.staff_mentions.is_empty());
}

#[test]
fn only_the_first_ten_thousand_characters_are_analysed() {
    let filler = "é".repeat(MAX_ANALYSED_CHARS);
    let long = format!("{filler} the invoice was wrong and the price far too high");
    let analysis = analyse(&long);
    assert!(analysis.themes.is_empty(), "{:?}", analysis.themes);
    let huge = "Terrible service, rude staff. ".repeat(20_000);
    let analysis = analyse(&huge);
    assert!(analysis.sentiment < -0.9);
    assert_eq!(analysis.themes, vec!["staff_attitude"]);
}

#[test]
fn compiled_and_simple_entry_points_agree() {
    let taxonomy = Taxonomy::default_taxonomy();
    let staff = [StaffName {
        id: 4,
        full_name: "Julie Martin".into(),
    }];
    let text = "Julie a résolu le problème de facturation rapidement, merci !";
    let compiled = analyze_compiled(text, &taxonomy.compile(), &CompiledStaff::new(&staff));
    assert_eq!(compiled, analyze(text, &taxonomy, &staff));
    assert_eq!(compiled.staff_mentions, vec![4]);
    assert_eq!(
        compiled.themes,
        vec!["waiting_time", "billing", "resolution"]
    );
}

/// xorshift64*: a tiny deterministic generator, so the test needs no dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "pas",
            "ne",
            "n'",
            "not",
            "nicht",
            "kein",
            "mais",
            "aber",
            "but",
            "très",
            "sehr",
            "very",
            "un peu",
            "peu",
            "bon",
            "gut",
            "good",
            "terrible",
            "pas terrible",
            "wait*",
            "on hold",
            "temps d'attente",
            "Sarah",
            "SARAH",
            "O'Connor",
            "!",
            "!!!!!!",
            "?",
            ".",
            ",",
            "'",
            "’",
            "-",
            "*",
            " ",
            "  ",
            "\n",
            "\t",
            "\u{0}",
            "\u{7}",
            "\u{1b}[31m",
            "\u{301}",
            "\u{200d}",
            "\u{feff}",
            "é",
            "ß",
            "İ",
            "ǅ",
            "😀",
            "👍🏽",
            "😡",
            "🇫🇷",
            "中文",
            "العربية",
            "עברית",
            "Ωμέγα",
            "ﬁ",
            "Ⅻ",
            "𝔘𝔫𝔦",
            "\u{10ffff}",
            "\u{fffd}",
            ":)",
            ":(",
            "<3",
            "lol",
            "SUPER",
            "Prix",
            "price",
            "priceless",
            "x",
            "123",
            "½",
        ];
        let length = self.below(60);
        let mut text = String::new();
        for _ in 0..length {
            if self.below(4) == 0 {
                let code = self.below(0x3_0000) as u32;
                text.push(char::from_u32(code).unwrap_or('?'));
            } else {
                text.push_str(PIECES[self.below(PIECES.len())]);
            }
            if self.below(3) == 0 {
                text.push(' ');
            }
        }
        text
    }
}

#[test]
fn random_text_never_panics_and_sentiment_stays_in_range() {
    let taxonomy = Taxonomy::default_taxonomy();
    let compiled = taxonomy.compile();
    let staff = CompiledStaff::new(&[
        StaffName {
            id: 1,
            full_name: "Sarah O'Connor".into(),
        },
        StaffName {
            id: 2,
            full_name: "🙂".into(),
        },
        StaffName {
            id: 3,
            full_name: String::new(),
        },
    ]);
    let keys: Vec<&str> = taxonomy.themes.iter().map(|t| t.key.as_str()).collect();
    let codes = ["en", "fr", "de", "es", "it", "nl", "pt"];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let text = random.text();
        let analysis = analyze_compiled(&text, &compiled, &staff);
        assert!(
            (-1.0..=1.0).contains(&analysis.sentiment),
            "{text:?}: {}",
            analysis.sentiment
        );
        assert!(analysis.themes.iter().all(|t| keys.contains(&t.as_str())));
        assert!(
            analysis
                .language
                .iter()
                .all(|l| codes.contains(&l.as_str()))
        );
        assert!(analysis.staff_mentions.iter().all(|id| *id == 1));
        assert_eq!(
            analysis,
            analyze_compiled(&text, &compiled, &staff),
            "{text:?}"
        );
    }
}

#[test]
fn compiled_forms_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<CompiledTaxonomy>();
    shareable::<CompiledStaff>();
}

//! Time to analyse one comment of about 300 characters against the default taxonomy and a
//! staff list of 50, with a std-only timing loop: `cargo bench -p domain --bench analysis`.

use domain::analysis::{CompiledStaff, StaffName, Taxonomy, analyze, analyze_compiled};
use std::hint::black_box;
use std::time::{Duration, Instant};

const COMMENTS: &[&str] = &[
    "We waited over forty minutes on hold before anyone answered, and when Sarah finally \
     picked up she was friendly and sorted out the billing mistake quickly. Still, the price \
     increase was not explained and the delivery came two days late. Overall it was okay, but it could be so much better next time.",
    "The technician arrived on time, explained everything clearly and left the place tidy. \
     Really impressed with the quality of the work and the fair price, I would not hesitate \
     to recommend this company to friends and family. Thanks again to Tom for his patience and good humour!",
    "Le technicien est arrivé avec deux heures de retard, sans prévenir, et la facture ne \
     correspondait pas au devis. Personne ne m'a rappelé malgré trois messages. Très déçu \
     du service client, je ne recommande pas du tout cette entreprise, vraiment dommage car le produit est bon.",
    "Accueil chaleureux et personnel très aimable. Le temps d'attente au téléphone était \
     un peu long mais Julie a résolu mon problème de facturation rapidement. Rapport \
     qualité-prix correct, travail soigné. Merci beaucoup, je reviendrai sans hésiter chez vous.",
    "Die Wartezeit in der Warteschleife war viel zu lang und niemand hat zurückgerufen. \
     Der Techniker war zwar freundlich, aber die Rechnung war falsch und die Reparatur \
     musste wiederholt werden. Insgesamt leider sehr enttäuschend, das geht eindeutig besser, liebe Leute.",
    "Sehr zufrieden! Der Termin wurde pünktlich eingehalten, Herr Becker hat alles genau \
     erklärt und sauber gearbeitet. Der Preis war fair und die Kommunikation per E-Mail \
     hat super geklappt. Kann ich nur weiterempfehlen, vielen Dank an das ganze Team dort.",
];

fn staff() -> Vec<StaffName> {
    const FIRST: [&str; 10] = [
        "Sarah", "Tom", "Julie", "Lukas", "Amélie", "Hannah", "Pierre", "Oliver", "Chloé", "Jonas",
    ];
    const LAST: [&str; 5] = ["Becker", "Martin", "Smith", "Dubois", "Müller"];
    (0..50)
        .map(|i| StaffName {
            id: i as i64,
            full_name: format!("{} {}", FIRST[i % FIRST.len()], LAST[i / FIRST.len()]),
        })
        .collect()
}

/// Runs `analyse` over `comments` repeatedly in five rounds sharing `budget`, returning the
/// best round's ns per comment (the least disturbed by other work on the machine).
fn time(comments: &[&str], budget: Duration, mut analyse: impl FnMut(&str)) -> f64 {
    for comment in comments {
        analyse(comment); // warm-up: builds the lazily loaded lexicons
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let mut analysed = 0u64;
        while started.elapsed() < budget / 5 {
            for comment in comments {
                analyse(black_box(comment));
            }
            analysed += comments.len() as u64;
        }
        best = best.min(started.elapsed().as_nanos() as f64 / analysed as f64);
    }
    best
}

fn main() {
    let taxonomy = Taxonomy::default_taxonomy();
    let staff = staff();
    let compiled = taxonomy.compile();
    let compiled_staff = CompiledStaff::new(&staff);
    let chars: usize = COMMENTS.iter().map(|c| c.chars().count()).sum();
    println!(
        "{} comments, {} characters on average, {} themes, {} staff",
        COMMENTS.len(),
        chars / COMMENTS.len(),
        taxonomy.themes.len(),
        staff.len()
    );
    let budget = Duration::from_secs(2);
    let compiled_ns = time(COMMENTS, budget, |c| {
        black_box(analyze_compiled(c, &compiled, &compiled_staff));
    });
    println!("analyze_compiled: {compiled_ns:>8.0} ns/comment");
    for (language, pair) in ["en", "fr", "de"].iter().zip(COMMENTS.chunks(2)) {
        let ns = time(pair, budget / 4, |c| {
            black_box(analyze_compiled(c, &compiled, &compiled_staff));
        });
        println!("  {language} comments:    {ns:>8.0} ns/comment");
    }
    let simple_ns = time(COMMENTS, budget, |c| {
        black_box(analyze(c, &taxonomy, &staff));
    });
    println!(
        "analyze:          {simple_ns:>8.0} ns/comment (compiles taxonomy and staff each time)"
    );
    let short = ["Great service", "Trop cher", "Alles gut", "ok"];
    let short_ns = time(&short, budget / 4, |c| {
        black_box(analyze_compiled(c, &compiled, &compiled_staff));
    });
    println!("short comments:   {short_ns:>8.0} ns/comment");
    let unclear = [
        "Technician punctual, invoice correct, boiler repaired.",
        "Intervention rapide, facture conforme au devis.",
    ];
    let unclear_ns = time(&unclear, budget / 4, |c| {
        black_box(analyze_compiled(c, &compiled, &compiled_staff));
    });
    println!("mid-length comments needing the trigram model: {unclear_ns:>6.0} ns/comment");
}

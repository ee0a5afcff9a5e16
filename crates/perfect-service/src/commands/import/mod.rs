//! `import transactions`, `import responses` and `import events`: a CSV file is checked row by row (every row,
//! references resolved against the database) before anything is written, then written in
//! all-or-nothing batches of 1,000. The file is read twice, once to check and once to write,
//! so that memory stays bounded however long the file is.

mod csv_file;
mod events;
mod progress;
mod responses;
mod transactions;

use crate::cli::{ImportArgs, ImportCommand};
use csv_file::{CsvFile, Row};
use domain::ValidationError;
use progress::Progress;
use server::config::Settings;
use std::path::Path;
use std::time::Instant;
use store::StoreError;

/// Rows per write, each batch all or nothing: the API's batch limit.
const BATCH: usize = server::api::transactions::MAX_BATCH;

pub async fn run(settings: Settings, command: ImportCommand) -> anyhow::Result<()> {
    let (args, kind) = match command {
        ImportCommand::Transactions(args) => (args, Kind::Transactions),
        ImportCommand::Responses(args) => (args, Kind::Responses),
        ImportCommand::Events(args) => (args, Kind::Events),
    };
    let (file, names) = CsvFile::open(&args.file)?;
    let store = super::open_store(&settings).await?;
    let actor = store::Actor::System {
        label: format!("import ({})", file_name(&args.file)),
    };
    // The store is closed whatever happens, so the import runs in a block of its own.
    let result = async {
        match kind {
            Kind::Responses => {
                let importer = responses::Responses::new(&store, actor, names).await?;
                import(importer, file, &args).await
            }
            Kind::Transactions => {
                let importer = transactions::Transactions::new(&store, actor, names)?;
                import(importer, file, &args).await
            }
            Kind::Events => {
                let importer = events::Events::new(&store, actor, names)?;
                import(importer, file, &args).await
            }
        }
    }
    .await;
    store.close().await;
    result
}

enum Kind {
    Transactions,
    Responses,
    Events,
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Why one row cannot be imported: the CSV column at fault (empty for the whole row) and why.
#[derive(Debug)]
pub struct RowError {
    column: String,
    message: String,
}

impl RowError {
    pub fn new(column: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            message: message.into(),
        }
    }

    /// An error whose field is named as in the API (`customer.email`, `answers.csat`).
    pub fn at_field(field: &str, message: impl Into<String>) -> Self {
        let column = if let Some(rest) = field.strip_prefix("customer.") {
            format!("customer_{rest}")
        } else if let Some(key) = field.strip_prefix("answers.") {
            key.to_owned()
        } else if field == "attributes" {
            "attr.*".to_owned()
        } else {
            field.to_owned()
        };
        Self::new(column, message)
    }
}

impl From<ValidationError> for RowError {
    fn from(error: ValidationError) -> Self {
        Self::at_field(error.field, error.message)
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.column, self.message)
        }
    }
}

/// What stops a row: the row itself, or a failure that stops the whole import.
pub enum Failure {
    Row(RowError),
    Abort(anyhow::Error),
}

impl From<RowError> for Failure {
    fn from(error: RowError) -> Self {
        Failure::Row(error)
    }
}

impl From<ValidationError> for Failure {
    fn from(error: ValidationError) -> Self {
        Failure::Row(error.into())
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UnknownReference { field, what, value } => Failure::Row(
                RowError::at_field(&field, format!("no {what} with {value:?}")),
            ),
            other => Failure::Abort(other.into()),
        }
    }
}

/// A batch the database refused; `row` is its index in the batch when the database named one.
pub struct WriteFailure {
    row: Option<usize>,
    error: String,
}

/// Rows written so far.
#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub created: u64,
    pub updated: u64,
}

/// One kind of import.
trait Importer {
    type Item;
    /// Checks one row completely, resolving its references, and builds what to write.
    async fn prepare(&mut self, row: &Row<'_>) -> Result<Self::Item, Failure>;
    /// Writes one batch, all or nothing.
    async fn write(&mut self, batch: Vec<Self::Item>) -> Result<Written, WriteFailure>;
    /// What was written, for the summary: e.g. `9000 created, 1000 updated`.
    fn outcome(&self, written: Written) -> String;
    /// What to do after a failure that left `committed` rows written, up to `next_line`.
    fn after_failure(&self, committed: u64, next_line: u64) -> String;
}

async fn import<I: Importer>(
    mut importer: I,
    file: CsvFile,
    args: &ImportArgs,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let name = file_name(&args.file);
    let mut progress = Progress::new();
    let (rows, rejected) = check_all(&mut importer, file, &mut progress).await?;
    progress.clear();
    if !rejected.is_empty() {
        for (line, error) in &rejected {
            eprintln!("line {line}: {error}");
        }
        anyhow::bail!(
            "{} of the {rows} rows of {name} are invalid (listed above); nothing was imported",
            rejected.len()
        );
    }
    if args.dry_run {
        println!(
            "{name}: all {rows} rows are valid ({:.1} s); nothing was imported (--dry-run).",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let (file, _) = CsvFile::open(&args.file)?;
    let written = write_all(&mut importer, file, rows, &mut progress).await?;
    progress.clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{name}: {rows} rows read, {} in {seconds:.1} s ({:.0} rows/s).",
        importer.outcome(written),
        rows as f64 / seconds.max(1e-9)
    );
    Ok(())
}

/// The first pass: every row checked; returns the number of rows and the rejected ones.
async fn check_all<I: Importer>(
    importer: &mut I,
    mut file: CsvFile,
    progress: &mut Progress,
) -> anyhow::Result<(u64, Vec<(u64, RowError)>)> {
    let mut rows = 0;
    let mut rejected = Vec::new();
    while let Some(next) = file.next_row()? {
        rows += 1;
        match next {
            Err(rejection) => rejected.push(rejection),
            Ok(row) => match importer.prepare(&row).await {
                Ok(_) => {}
                Err(Failure::Row(error)) => rejected.push((row.line, error)),
                Err(Failure::Abort(error)) => {
                    return Err(error.context(format!("cannot check line {}", row.line)));
                }
            },
        }
        progress.checking(file.fraction_read(), rows);
    }
    Ok((rows, rejected))
}

/// Where the second pass stands.
struct Writing {
    total: u64,
    committed: u64,
    written: Written,
    lines: Vec<u64>,
}

/// The second pass: rows prepared again and written batch by batch.
async fn write_all<I: Importer>(
    importer: &mut I,
    mut file: CsvFile,
    total: u64,
    progress: &mut Progress,
) -> anyhow::Result<Written> {
    let mut state = Writing {
        total,
        committed: 0,
        written: Written::default(),
        lines: Vec::with_capacity(BATCH),
    };
    let mut batch = Vec::with_capacity(BATCH);
    let mut last_line = 1;
    loop {
        // The rows were all valid a moment ago: a failure now means that the file or the
        // database changed meanwhile, or that the file cannot be read any more.
        let (line, item) = match file.next_row() {
            Ok(None) => break,
            Ok(Some(Ok(row))) => (row.line, importer.prepare(&row).await),
            Ok(Some(Err((line, error)))) => (line, Err(Failure::Row(error))),
            Err(error) => (last_line + 1, Err(Failure::Abort(error))),
        };
        let item = match item {
            Ok(item) => item,
            Err(failure) => {
                progress.clear();
                let cause = match failure {
                    Failure::Row(error) => {
                        eprintln!("line {line}: {error}");
                        "a row changed since it was checked".to_owned()
                    }
                    Failure::Abort(error) => format!("{error:#}"),
                };
                let next_line = state.lines.first().copied().unwrap_or(line);
                return Err(stopped(importer, &state, next_line, &cause));
            }
        };
        batch.push(item);
        state.lines.push(line);
        last_line = line;
        if batch.len() == BATCH {
            flush(importer, std::mem::take(&mut batch), &mut state, progress).await?;
        }
    }
    if !batch.is_empty() {
        flush(importer, batch, &mut state, progress).await?;
    }
    Ok(state.written)
}

async fn flush<I: Importer>(
    importer: &mut I,
    batch: Vec<I::Item>,
    state: &mut Writing,
    progress: &mut Progress,
) -> anyhow::Result<()> {
    match importer.write(batch).await {
        Ok(written) => {
            state.written.created += written.created;
            state.written.updated += written.updated;
            state.committed += state.lines.len() as u64;
            state.lines.clear();
            progress.imported(state.committed, state.total);
            Ok(())
        }
        Err(failure) => {
            progress.clear();
            if let Some(line) = failure.row.and_then(|i| state.lines.get(i)) {
                eprintln!("line {line}: {}", failure.error);
            }
            let first = state.lines.first().copied().unwrap_or_default();
            Err(stopped(importer, state, first, &failure.error))
        }
    }
}

/// The report of an import stopped part way: what was committed and how to go on.
fn stopped<I: Importer>(
    importer: &I,
    state: &Writing,
    next_line: u64,
    cause: &str,
) -> anyhow::Error {
    anyhow::anyhow!(
        "the import stopped: {cause}\n{} of {} rows were committed; nothing from line {next_line} on was imported.\n{}",
        state.committed,
        state.total,
        importer.after_failure(state.committed, next_line)
    )
}

//! Reading an import file: the header row checked against the columns a kind of import knows,
//! then one row at a time with the line it starts on (quoted fields may span lines).

use super::RowError;
use anyhow::Context;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

/// The columns of the file, by name.
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    /// Checks the header row: no duplicate, no unknown and no missing column. `known` tells
    /// whether a column name is accepted; `expected` is added to the error about unknown ones.
    pub fn check(
        names: Vec<String>,
        known: impl Fn(&str) -> bool,
        expected: &str,
        required: &[&str],
    ) -> anyhow::Result<Self> {
        let mut index = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            if index.insert(name.clone(), i).is_some() {
                anyhow::bail!("the header names the column {name:?} twice");
            }
        }
        let unknown: Vec<String> = names
            .iter()
            .filter(|name| !known(name))
            .map(|name| format!("{name:?}"))
            .collect();
        if !unknown.is_empty() {
            let hint = if names.len() == 1 && names[0].contains(';') {
                "the file seems to be separated by ';': save it with ',' as the separator"
            } else {
                expected
            };
            anyhow::bail!("unknown columns: {} ({hint})", unknown.join(", "));
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| !index.contains_key(*name))
            .collect();
        if !missing.is_empty() {
            anyhow::bail!("missing required columns: {}", missing.join(", "));
        }
        Ok(Self { names, index })
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// An open import file.
pub struct CsvFile {
    reader: csv::Reader<File>,
    record: csv::StringRecord,
    columns: usize,
    size: u64,
}

/// One data row.
pub struct Row<'a> {
    /// The line the row starts on; the header is line 1.
    pub line: u64,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed cell of a column, `None` when the column is absent or the cell empty.
    pub fn value(&self, column: Option<usize>) -> Option<&str> {
        column
            .and_then(|i| self.record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The trimmed cell of a required column; empty when blank.
    pub fn cell(&self, column: usize) -> &str {
        self.record.get(column).map_or("", str::trim)
    }
}

impl CsvFile {
    /// Opens the file and reads its header row (a UTF-8 byte order mark is skipped).
    pub fn open(path: &Path) -> anyhow::Result<(Self, Vec<String>)> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let names: Vec<String> = reader
            .headers()
            .with_context(|| format!("cannot read the header row of {}", path.display()))?
            .iter()
            .map(|name| name.trim().to_owned())
            .collect();
        if names.iter().all(String::is_empty) {
            anyhow::bail!("{} has no header row", path.display());
        }
        let columns = names.len();
        let file = Self {
            reader,
            record: csv::StringRecord::new(),
            columns,
            size,
        };
        Ok((file, names))
    }

    /// The next row; `Some(Err(_))` for a row that cannot be read as one, `Err` when the file
    /// itself cannot be read further.
    pub fn next_row(&mut self) -> anyhow::Result<Option<Result<Row<'_>, (u64, RowError)>>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                if self.record.len() != self.columns {
                    let error = RowError::new(
                        "",
                        format!(
                            "has {} fields where the header has {}",
                            self.record.len(),
                            self.columns
                        ),
                    );
                    return Ok(Some(Err((line, error))));
                }
                Ok(Some(Ok(Row {
                    line,
                    record: &self.record,
                })))
            }
            Err(error) => match error.kind() {
                csv::ErrorKind::Utf8 { pos, err } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    let column = err.field() + 1;
                    let message =
                        format!("field {column} is not valid UTF-8 text (save the file as UTF-8)");
                    Ok(Some(Err((line, RowError::new("", message)))))
                }
                _ => Err(anyhow::Error::new(error).context("cannot read the file")),
            },
        }
    }

    /// How far through the file reading is, from 0 to 1.
    pub fn fraction_read(&self) -> f64 {
        if self.size == 0 {
            return 1.0;
        }
        (self.reader.position().byte() as f64 / self.size as f64).min(1.0)
    }
}

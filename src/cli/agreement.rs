//! `earnings-qa agreement [--labels DIR] [--annotators A,B | --vs-model] [PATH ...]`:
//! Cohen's kappa, percent agreement and the confusion matrix over the
//! questions both raters decided: two annotators, every independent pair
//! (no flag), or an annotator (or the final human labels) against the
//! current model on the questions under PATH.

use std::path::PathBuf;

use earnings_qa::labels::{Journal, Label};
use earnings_qa::model::card::Agreement;
use earnings_qa::pipeline::{self, InputOptions, ModelOutputs, Outcome};
use earnings_qa::question::text_hash;

use super::classify::ModelArgs;
use super::input::print_diagnostics;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// With --vs-model: transcripts or .jsonl output of `classify` or `questions`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Label journal: a folder of *.jsonl files, or one file [default: as `report` finds it].
    #[arg(long, value_name = "DIR")]
    labels: Option<PathBuf>,
    /// Two annotators (A,B), or one with --vs-model.
    #[arg(long, value_name = "A,B", value_delimiter = ',', num_args = 1..=2)]
    annotators: Vec<String>,
    /// Score the model against the annotator (or the final human labels).
    #[arg(long)]
    vs_model: bool,
    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    args.model.encoder.apply_threads();
    let (journal, dir, mut outcome) = super::load_labels(args.labels.as_deref())?;
    anyhow::ensure!(dir.is_some(), "no labels to compare (name them with --labels)");
    let (pairs, rows, columns) = match (args.vs_model, args.annotators.as_slice()) {
        (false, [a, b]) => (journal.pairs_between(a, b), a.clone(), b.clone()),
        (false, []) => (journal.independent_pairs(), "annotator".into(), "annotator".into()),
        (false, _) => anyhow::bail!("--annotators wants two names (A,B), or one with --vs-model"),
        (true, [_, _]) => anyhow::bail!("--vs-model takes one annotator at most"),
        (true, who) => {
            let who = who.first();
            let (pairs, read) = vs_model(&args, &journal, who.map(String::as_str))?;
            outcome = outcome.and(read);
            let rows = who.cloned().unwrap_or_else(|| "human".into());
            (pairs, rows, "model".into())
        }
    };
    let Some(agreement) = Agreement::of_pairs(pairs) else {
        anyhow::bail!("no question was decided by both {rows} and {columns}");
    };
    let m = &agreement.metrics;
    println!(
        "{rows} vs {columns}: {} questions both decided\nCohen's kappa {:.3}, agreement {:.1}%\n",
        m.questions,
        agreement.kappa,
        100.0 * m.accuracy
    );
    print!("{}", m.markdown_as(&rows, &columns));
    Ok(outcome)
}

/// (human, model) labels on the questions under PATH that `who` (or, with
/// no one named, anyone) decided on the same text.
fn vs_model(args: &Args, journal: &Journal, who: Option<&str>) -> anyhow::Result<(Vec<(Label, Label)>, Outcome)> {
    anyhow::ensure!(!args.paths.is_empty(), "--vs-model needs the questions: give PATHs");
    let inputs = pipeline::read(&InputOptions {
        paths: args.paths.clone(),
        ..InputOptions::default()
    })?;
    print_diagnostics(&inputs.diagnostics);
    let mut seen = std::collections::HashSet::new();
    let decided: Vec<(Label, earnings_qa::question::Question)> = inputs
        .questions
        .iter()
        .filter_map(|i| {
            let q = &i.question;
            let d = match who {
                Some(a) => journal.decision_of(&q.id, a)?,
                None => journal.final_decision(&q.id)?,
            };
            (d.text_hash == text_hash(&q.text) && seen.insert(q.id.clone())).then(|| (d.label, q.clone()))
        })
        .collect();
    let mut model = ModelOutputs::of(&inputs.questions);
    let missing = model.missing(decided.iter().map(|(_, q)| q));
    let probs = args.model.classify(&missing)?;
    model.add(&missing, probs);
    let pairs = decided
        .iter()
        .map(|(human, q)| (*human, model.get(q).expect("classified above").0))
        .collect();
    Ok((pairs, inputs.outcome))
}

//! `list build`'s exact hash list flags, one `--<kind> FILE` per kind in `HashKind::FILE_KINDS`: made
//! from that table so that a new hash kind gets its flag without a change here.

use imageguard::exact::HashKind;
use std::path::PathBuf;

/// The list files given, with the kind of hash each holds, in `HashKind::FILE_KINDS` order.
#[derive(Default)]
pub struct ExactLists(pub Vec<(HashKind, PathBuf)>);

impl clap::FromArgMatches for ExactLists {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let lists = HashKind::FILE_KINDS
            .into_iter()
            .filter_map(|kind| matches.get_one::<PathBuf>(kind.name()).map(|path| (kind, path.clone())))
            .collect();
        Ok(ExactLists(lists))
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ExactLists {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        HashKind::FILE_KINDS.into_iter().fold(cmd, |cmd, kind| {
            cmd.arg(
                clap::Arg::new(kind.name())
                    .long(kind.name())
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help(format!("{} hashes to list (hex, one per line, or a CSV column with --column)", kind.name().to_uppercase())),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

"""`petition link`: who wrote each letter, how often they wrote before, copies and joint letters."""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.commands._inputs import add_headers_argument, add_input_arguments, masked_for_export, read_inputs
from pipeline.errors import PetitionError
from pipeline.link import PetitionerLinker
from pipeline.mask import mask_frame
from pipeline.persons import persons_table
from pipeline.write import write_table

# letters.parquet: the letter, its links, and masked identity (never the linking helpers)
EXPORT_DROP = ("minhash", "letter_key_internal")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "link", help="link letters to petitioners across batches (repeat petitions, joint letters)",
        description="Clean the identity fields (ID card, phone, name, address, and identity written "
                    "in the letter), link every letter to a person with Splink against all letters "
                    "in the case store, and find near-duplicate and joint letters. Writes "
                    "DIR/letters.parquet (each letter with person_id, person_match_prob, "
                    "repeat_count, first_seen, near_duplicate_of, joint_letter_group) and "
                    "DIR/persons.csv. Identity is masked in both; unmasked identity stays in the "
                    "store.",
    )
    add_input_arguments(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--store", metavar="FILE",
                        help="case store (DuckDB) holding earlier batches (default: DIR/cases.duckdb)")
    add_headers_argument(parser)
    parser.add_argument("--threshold", type=float, default=0.7,
                        help="match probability at which two letters are one person (default 0.7)")
    parser.add_argument("--train", choices=["auto", "never", "always"], default="auto",
                        help="re-estimate the linking model by EM on the stored + new letters "
                             "(auto: when there are enough letters with identity; default auto)")
    parser.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise PetitionError(f"--out {out} is a file: give a folder")
    if not 0 < args.threshold < 1:
        raise PetitionError(f"--threshold {args.threshold}: give a probability between 0 and 1")
    from pipeline.store import CaseStore

    result = read_inputs(args)
    if result.letters.empty:
        raise PetitionError("no letters were read from the inputs")
    store_path = Path(args.store) if args.store else out / "cases.duckdb"
    linker = PetitionerLinker(threshold=args.threshold, train=args.train)
    with CaseStore(store_path) as store:
        stored_before = store.count()
        print(f"linking {len(result.letters)} letters against {stored_before} stored letters ...",
              file=sys.stderr)
        store.begin_run("link")  # one transaction, committed at the end
        linked = linker.link(result.letters, store.history())
        store.save(linked, linker=linker, command="link")
        persons = persons_table(store.letters_with_persons(set(linked["person_id"].dropna())))
        stored_after = store.count()
        store.finish_run()
    letters_out = masked_for_export(linked.drop(columns=[c for c in EXPORT_DROP if c in linked.columns]))
    write_table(letters_out, out / "letters.parquet")
    write_table(mask_frame(persons), out / "persons.csv", headers=args.headers)
    write_table(result.rejects, out / "rejects.csv", headers=args.headers)
    repeaters = int((persons["letter_count"] > 1).sum())
    print(f"{len(linked)} letters -> {linked['person_id'].nunique()} persons "
          f"({repeaters} with more than one letter); "
          f"{int(linked['near_duplicate_of'].notna().sum())} near-duplicate letters, "
          f"{linked['joint_letter_group'].nunique()} joint-letter groups; "
          f"model: {linker.model_source_}")
    print(f"store {store_path}: {stored_before} -> {stored_after} letters")
    print(f"wrote {out / 'letters.parquet'}, {out / 'persons.csv'} and {out / 'rejects.csv'}")
    return 0
